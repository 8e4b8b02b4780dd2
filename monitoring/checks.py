"""``lantian check --deploy``: the devices' SM4 keys are sealed with a secret of the site's."""

from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def sm4_vault_key(app_configs, **kwargs):
    from monitoring.keyvault import VaultKeyError, vault

    try:
        found = vault()
    except VaultKeyError as exc:
        return [Error(str(exc), id="monitoring.E001")]
    if found.is_development:
        return [
            Warning(
                "LANTIAN_SM4_VAULT_KEY is not set: the devices' SM4 keys are sealed with the "
                "public development key, so anyone who can read the database can read them.",
                hint="Set LANTIAN_SM4_VAULT_KEY=key-id:long-random-secret (README: Production).",
                id="monitoring.W001",
            )
        ]
    return []
