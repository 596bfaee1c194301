<?xml version="1.0" encoding="UTF-8"?>
<!-- Optional progressive enhancement: shows an RSS or Atom feed opened in a browser that
     still runs XSLT as a readable page that points to the subscribe page. Browsers are
     removing XSLT (Chrome from version 155); feed readers ignore it. Dates are written as
     the pages write them (feeds/dateformat.py): 2022年9月20日. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="rss/channel/title | atom:feed/atom:title"/>
    <html>
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> · 订阅源</title>
        <style>
          :root { color-scheme: light dark; }
          body { max-width: 42rem; margin: 0 auto; padding: 1rem; font: 17px/1.7 -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; }
          .help { border: 1px solid #b3261e; border-radius: 6px; padding: .5rem 1rem; }
          code { word-break: break-all; }
          li { margin: .5rem 0; }
          .date { color: #6e6e73; font-size: .9rem; }
        </style>
      </head>
      <body>
        <div class="help">
          <p><strong>这是一个订阅源（RSS/Atom）。</strong>
          复制浏览器地址栏中的网址，粘贴到 RSS 阅读器（如 NetNewsWire、Feedly、Inoreader、Thunderbird），
          新文章发布后就会自动出现在阅读器里。</p>
          <p><a href="{rss/channel/atom:link[@rel='related']/@href | atom:feed/atom:link[@rel='related']/@href}">订阅说明：各栏目的订阅地址、二维码和邮件订阅</a></p>
        </div>
        <h1><xsl:value-of select="$title"/></h1>
        <p><xsl:value-of select="rss/channel/description | atom:feed/atom:subtitle"/></p>
        <p><a href="{rss/channel/link | atom:feed/atom:link[@rel='alternate']/@href}">打开网站</a></p>
        <ul>
          <xsl:apply-templates select="rss/channel/item | atom:feed/atom:entry"/>
        </ul>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li>
      <a href="{link}"><xsl:value-of select="title"/></a><br/>
      <!-- pubDate is RFC 822: "Tue, 20 Sep 2022 06:00:00 +0800" -->
      <xsl:variable name="parts" select="substring-after(pubDate, ', ')"/>
      <xsl:variable name="month" select="substring(substring-after($parts, ' '), 1, 3)"/>
      <span class="date">
        <xsl:value-of select="substring(substring-after(substring-after($parts, ' '), ' '), 1, 4)"/>年<xsl:value-of
          select="string-length(substring-before('JanFebMarAprMayJunJulAugSepOctNovDec', $month)) div 3 + 1"/>月<xsl:value-of
          select="number(substring-before($parts, ' '))"/>日</span>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li>
      <a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a><br/>
      <span class="date"><xsl:value-of select="substring(atom:published, 1, 4)"/>年<xsl:value-of
          select="number(substring(atom:published, 6, 2))"/>月<xsl:value-of
          select="number(substring(atom:published, 9, 2))"/>日</span>
    </li>
  </xsl:template>
</xsl:stylesheet>
