"""``lantian check --deploy``: the audit chain must be keyed with a secret of the site's own."""

from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def audit_key(app_configs, **kwargs):
    from audit.keys import AuditKeyError, keyring

    try:
        ring = keyring()
    except AuditKeyError as exc:
        return [Error(str(exc), id="audit.E001")]
    if ring.is_development:
        return [
            Warning(
                "LANTIAN_AUDIT_KEY is not set: the audit chain is keyed with the public "
                "development key, so anyone who can write the tables can forge it.",
                hint="Set LANTIAN_AUDIT_KEY=key-id:long-random-secret (README: Production).",
                id="audit.W001",
            )
        ]
    return []
