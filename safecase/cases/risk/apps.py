from django.apps import AppConfig


class CaseRiskConfig(AppConfig):
    name = "safecase.cases.risk"
    label = "case_risk"
    verbose_name = "Risk assessments and approval gates"

    def ready(self) -> None:
        # The part's seams (cases/parts.py, cases/chronology.py): its chronology lines, the
        # risk history section, the closure gate and the overdue reviews on the home page.
        from safecase.access.permissions import Permission
        from safecase.cases import chronology, parts
        from safecase.cases.risk import gates, selectors

        chronology.register(selectors.chronology_events)
        parts.register_section(
            parts.Section("risk", "Risk history", 20, selectors.risk_history_section)
        )
        parts.register_stage_check("risk.closure_gate", gates.closure_gate)
        parts.register_home_panel(
            parts.HomePanel(
                "risk.overdue_reviews",
                "case_risk/_home_panel.html",
                Permission.CASE_VIEW_CASELOAD,
                20,
                selectors.home_panel_context,
            )
        )
        parts.register_home_panel(
            parts.HomePanel(
                "risk.approvals_waiting",
                "case_risk/_approvals_panel.html",
                Permission.CASE_SUPERVISE,
                21,
                selectors.approvals_panel_context,
            )
        )
