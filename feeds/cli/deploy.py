"""``feeds deploy``: the built site, copied to an S3-compatible bucket."""

from __future__ import annotations

import time

import click

from . import State, cli


@cli.command("deploy")
@click.option("--dry-run", is_flag=True, help="Print what would be uploaded and deleted; "
              "change nothing.")
@click.option("--allow-deletes", is_flag=True,
              help="Delete even when more objects go than deploy.max_deletes.")
@click.option("--force", is_flag=True, help="Upload every file, even unchanged ones (after "
              "changing deploy.rules, say: headers are not compared).")
@click.option("-v", "--verbose", is_flag=True, help="Print each upload and delete.")
@click.pass_obj
def deploy_command(state: State, dry_run: bool, allow_deletes: bool, force: bool,
                   verbose: bool) -> None:
    """Upload the output folder to the bucket in [deploy]: new files, then changed ones,
    then deletes, so readers never meet a missing page.

    Files are compared by MD5 with what the bucket holds, so a second deploy uploads
    nothing. Credentials come from the environment (AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY unless deploy.access_key_env and deploy.secret_key_env
    name others). Takes the build job's lock, so it never copies a build in progress.

    \b
    Example:
        feeds build && feeds deploy --dry-run
        feeds deploy
    """
    from ..bucket import connect
    from ..deploy import deploy
    from ..schedule.locks import job_lock, lock_folder

    config = state.config
    bucket = connect(config.deploy)
    started = time.perf_counter()

    def show(action: str, path: str) -> None:
        click.echo(f"{action} {path}", err=True)

    with job_lock(lock_folder(config), "build"):
        report = deploy(config, bucket, dry_run=dry_run, allow_deletes=allow_deletes,
                        force=force, progress=show if verbose else None)
    where = f"s3://{bucket.name}/{bucket.prefix}"
    if dry_run:
        for line in report.plan.lines():
            click.echo(line)
        click.echo(f"would deploy to {where}: {report.plan.summary()}", err=True)
        return
    purged = f"; told the CDN about {report.purged} URLs" if report.purged else ""
    click.echo(f"deployed to {where}: {report.plan.summary(done=True)} "
               f"({time.perf_counter() - started:.1f} s){purged}", err=True)
