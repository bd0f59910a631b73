"""What the simulated platform is set up with: the clone service provider, the system domains, the
group services it knows, and the defaults a new group gets."""

CLONE_SERVICE_PROVIDER_ID = "ExpoePartner"  # G1
VOICE_MESSAGING_GROUP = "Voice Messaging Group"
SYSTEM_DOMAINS = ("exponential-e.com", "hostedcomm.com")  # G5
DEFAULT_TIME_ZONE = "Europe/London"
# Extension lengths BroadWorks' schema allows, and the system default a group gets when none is given.
EXTENSION_LENGTH_LIMITS = (2, 20)
DEFAULT_EXTENSION_LENGTHS = {"min": 2, "max": 6, "default": 4}

# The group services the client library knows (its GroupServiceAuthorization literal): listed, with
# their authorisation, by GroupServiceGetAuthorizationListRequest.
GROUP_SERVICES = (
    "Account/Authorization Codes",
    "Auto Attendant",
    "Auto Attendant - Video",
    "Auto Attendant - Standard",
    "Call Capacity Management",
    "Call Park",
    "Call Pickup",
    "City-Wide Centrex",
    "Custom Ringback Group",
    "Custom Ringback Group - Video",
    "Emergency Zones",
    "Enhanced Outgoing Calling Plan",
    "Find-me/Follow-me",
    "Group Call Queue",
    "Group Paging",
    "Hunt Group",
    "Incoming Calling Plan",
    "Instant Group Call",
    "Intercept Group",
    "Inventory Report",
    "LDAP Integration",
    "Meet-Me Conferencing",
    "Music On Hold",
    "Music On Hold - Video",
    "Outgoing Calling Plan",
    "Preferred Carrier Group",
    "Route Point",
    "Series Completion",
    "Service Scripts Group",
    "Trunk Group",
    "Voice Messaging Group",
    "VoiceXML",
)
