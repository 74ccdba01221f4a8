"""Microsoft Intune managed devices (Microsoft Graph deviceManagement), read-only."""
