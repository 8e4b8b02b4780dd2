"""Pure extraction code: plan documents → structured tasks. No Django imports here."""
