"""dothi's Dagster definitions: intake → dbt → Great Expectations → findings → reports.

Load with ``dagster dev -m orchestration.definitions`` (or ``dothi ui``). Nothing runs at import:
the dbt manifest is prepared, and DOTHI_HOME read, only when Dagster asks for the definitions.
"""

from __future__ import annotations

import dagster as dg

from orchestration.defs.alerts import alert_definitions
from orchestration.defs.automation import automation_definitions
from orchestration.defs.dbt import dbt_definitions
from orchestration.defs.freshness import freshness_definitions
from orchestration.defs.intake import intake_definitions
from orchestration.defs.publish import publish_definitions
from orchestration.defs.quality import quality_definitions
from orchestration.defs.reports import reports_definitions
from orchestration.resources import DothiHomeResource


def build_definitions() -> dg.Definitions:
    pipeline = dg.Definitions.merge(
        intake_definitions(),
        dbt_definitions(),
        quality_definitions(),
        reports_definitions(),
    )
    return dg.Definitions.merge(
        pipeline,
        publish_definitions(pipeline),  # last: depends on every asset above, so it runs after all of them
        automation_definitions(),
        freshness_definitions(),  # an asset check on the publish asset, and its hourly job
        alert_definitions(),
        dg.Definitions(resources={"dothi_home": DothiHomeResource()}),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
