"""The client status page app: pages only; every change it asks for is made by referrals.services."""
