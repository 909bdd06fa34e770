"""Runs inside Superset's interpreter (.superset-venv/bin/python this_file.py), never the project's.

One app start does what `superset db upgrade`, `fab create-admin`, `superset init` and `import-dashboards`
would do in four (each CLI call boots the whole app, ~5 s on 2 cores), and imports the bundle with
overwrite at every level. `import-dashboards` overwrites the dashboard but keeps an earlier import's charts
and datasets, so an edited chart file would never reach a Superset that had imported it once.

Arguments: the bundle ZIP; the admin's name and password come from ASHARE_SUPERSET_USER/_PASSWORD.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path


def main(bundle: str) -> None:
    from importlib.metadata import version

    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from flask import g
        from flask_migrate import upgrade
        from superset import appbuilder, security_manager
        from superset.commands.chart.importers.v1 import ImportChartsCommand
        from superset.commands.dashboard.importers.v1 import ImportDashboardsCommand
        from superset.commands.database.importers.v1 import ImportDatabasesCommand
        from superset.commands.dataset.importers.v1 import ImportDatasetsCommand
        from superset.commands.importers.v1.utils import get_contents_from_bundle
        from superset.extensions import db

        upgrade()
        # `superset init` once per Superset version (the roles' permissions; ~5 s): FAB creates the role names
        # at start, so their presence says nothing
        marker = Path(os.environ["ASHARE_SUPERSET_HOME"]) / "initialised"
        first = not marker.exists() or marker.read_text() != version("apache-superset")
        if first:
            appbuilder.add_permissions(update_perms=True)
            security_manager.sync_role_definitions()
        name = os.environ["ASHARE_SUPERSET_USER"]
        user = security_manager.find_user(username=name)
        if user is None:
            user = security_manager.add_user(
                name,
                "Local",
                "Admin",
                f"{name}@localhost",
                security_manager.find_role("Admin"),
                password=os.environ["ASHARE_SUPERSET_PASSWORD"],
            )
        db.session.commit()
        g.user = user

        with zipfile.ZipFile(bundle) as zf:
            contents = get_contents_from_bundle(zf)
        for command in (ImportDatabasesCommand, ImportDatasetsCommand, ImportChartsCommand, ImportDashboardsCommand):
            command(contents, overwrite=True).run()
        db.session.commit()
        marker.write_text(version("apache-superset"))
        print(f"superset: {'initialised, ' if first else ''}bundle imported ({len(contents)} files)")


if __name__ == "__main__":
    main(sys.argv[1])
