"""Write a made-up archive of earlier issues for the screenshots (docs/screenshots/make.sh).

Every place and headline here is invented; the pages only give the site enough days and
articles to show archive pages, issues and 往期. Usage: python3 paper.py CONTENT_DIR
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

FIRST, LAST = dt.date(2022, 6, 20), dt.date(2022, 9, 19)
PLACES = ["城东", "城西", "城南", "城北", "河畔", "新城", "湖滨"]
PAGES = {
    "教育": ["{place}片区{n}所学校开展劳动教育周活动", "{place}片区教师培训班第{n}期结业",
             "{place}社区课堂走进校园 学生体验传统手工艺", "{place}中学举办第{n}届科技节"],
    "经济": ["开发区新签约项目{n}个 涉及智能制造与物流", "{place}商圈夜市开放 带动周边消费",
             "{place}街道为小微企业办理贷款延期{n}笔"],
    "政务": ["政务服务中心新增{n}项“一次办”事项", "{place}街道召开居民议事会 商议停车难题"],
}
LEAD = ("本报讯 {month}月{day}日，{headline}。相关负责人介绍，这项工作已经持续推进，"
        "下一步将总结经验，在更多社区推广。")
BODY = ("活动现场，工作人员向居民和企业代表介绍了具体做法，并听取了大家的意见建议。"
        "参加活动的代表表示，希望类似的活动常态化开展，让更多人受益。")


def page(day: dt.date, number: int, section: str, headlines: list[str]) -> str:
    articles = []
    for headline in headlines:
        lead = LEAD.format(month=day.month, day=day.day, headline=headline.split(" ")[0])
        articles.append(f"## {headline}\n\n{lead}\n\n{BODY}\n\n本报记者\n")
    return f"---\ndate: {day.isoformat()}\nsection: {section}\n---\n\n" + "\n".join(articles)


def main(content: Path) -> None:
    day, count = FIRST, 0
    while day <= LAST:
        for number, (section, templates) in enumerate(PAGES.items(), start=1):
            chosen = [templates[(count + i) % len(templates)].format(
                n=count % 17 + i + 2, place=PLACES[(count // 3 + i) % len(PLACES)])
                for i in range(2 if section == "教育" else 1)]
            count += 1
            target = content / "archive" / f"{day.isoformat()}-{number:02d}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(page(day, number, section, chosen), encoding="utf-8")
        day += dt.timedelta(days=1)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
