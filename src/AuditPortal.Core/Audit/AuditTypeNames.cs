namespace AuditPortal.Core.Audit;

/// <summary>
/// The names Marten stores for the portal's types: each stream type as it is in mt_streams.type (named after the
/// aggregate the stream starts with) and each event type as it is in mt_events.type. The one place these names are
/// written, for SQL, switches and filters that have no store at hand to ask (<c>EventGraph.AggregateAliasFor</c>,
/// <c>EventGraph.EventMappingFor</c>). Each constant is named after its .NET type; a test checks every constant against
/// Marten's mapping, and every event and stream type the portal writes against this list.
/// </summary>
public static class AuditTypeNames
{
    // Stream types (mt_streams.type)
    public const string Wallet = "wallet";
    public const string Job = "job";
    public const string AccessControlList = "access_control_list";
    public const string AuditLog = "audit_log";
    public const string ApprovalRequest = "approval_request";
    public const string ServiceToken = "service_token";
    public const string ServiceTokenUsage = "service_token_usage";
    public const string UserPreferences = "user_preferences";

    // Event types (mt_events.type)
    public const string WalletOpened = "wallet_opened";
    public const string CreditsGranted = "credits_granted";
    public const string CreditsSpent = "credits_spent";

    public const string JobPosted = "job_posted";
    public const string ParticipantInvited = "participant_invited";
    public const string JobApplicationSubmitted = "job_application_submitted";
    public const string ParticipantAccepted = "participant_accepted";
    public const string JobLaunched = "job_launched";
    public const string JobCompleted = "job_completed";
    public const string JobCancelled = "job_cancelled";

    public const string AccessControlListCreated = "access_control_list_created";
    public const string PermissionGranted = "permission_granted";
    public const string PermissionRevoked = "permission_revoked";
    public const string PermissionExpired = "permission_expired";

    public const string ApprovalRequested = "approval_requested";
    public const string RequestApproved = "request_approved";
    public const string ApprovalRefused = "approval_refused";
    public const string RequestRejected = "request_rejected";
    public const string RequestWithdrawn = "request_withdrawn";
    public const string RequestExpired = "request_expired";

    public const string AuditExported = "audit_exported";
    public const string AuditExportStarted = "audit_export_started";
    public const string AuditExportCompleted = "audit_export_completed";

    public const string CommandDenied = "command_denied";
    public const string ReadRefused = "read_refused";
    public const string UserSignedOut = "user_signed_out";
    public const string SignInLocked = "sign_in_locked";
    public const string UserSignedIn = "user_signed_in";
    public const string SignInRefused = "sign_in_refused";

    public const string ServiceTokenIssued = "service_token_issued";
    public const string ServiceTokenRevoked = "service_token_revoked";
    public const string ServiceTokenUsed = "service_token_used";
    public const string SearchSaved = "search_saved";
    public const string SavedSearchDeleted = "saved_search_deleted";
    public const string TimeZoneChosen = "time_zone_chosen";

    public const string ProjectionRebuildStarted = "projection_rebuild_started";
    public const string ProjectionRebuildCompleted = "projection_rebuild_completed";
    public const string ProjectionRebuildCancelled = "projection_rebuild_cancelled";
    public const string ProjectionRebuildFailed = "projection_rebuild_failed";

    /// <summary>Every stream type the portal starts (a person's preferences too, which the explorer does not offer).</summary>
    private static readonly HashSet<string> EveryStreamType = [Wallet, Job, AccessControlList, AuditLog, ApprovalRequest, ServiceToken, ServiceTokenUsage, UserPreferences];

    /// <summary>Whether <paramref name="name"/> is a stream type's name (else an event type's).</summary>
    public static bool IsStreamType(string name) => EveryStreamType.Contains(name);

    /// <summary>Every stream type the explorer's filter offers.</summary>
    public static readonly string[] StreamTypes = [Wallet, Job, AccessControlList, ApprovalRequest, AuditLog, ServiceToken, ServiceTokenUsage];

    public static string StreamLabel(string? type) => StreamOf(type) switch
    {
        Wallet => "Wallet",
        Job => "Job",
        AccessControlList => "Access-control list",
        ApprovalRequest => "Approval request",
        AuditLog => "Audit log",
        ServiceToken => "Service token",
        ServiceTokenUsage => "Service token uses",
        UserPreferences => "User preferences",
        _ => string.IsNullOrEmpty(type) ? "(unknown)" : type,
    };

    /// <summary>Tolerates both Marten's alias (access_control_list) and the CLR name (AccessControlList).</summary>
    private static string Normalize(string? type) => (type ?? "").Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static readonly Dictionary<string, string> StreamsByNormalized = StreamTypes.ToDictionary(Normalize);

    /// <summary>
    /// The stream type constant that <paramref name="type"/> names, in either spelling <see cref="Normalize"/> tolerates;
    /// null for any other type. Lets a switch match the constants instead of typing the names again.
    /// </summary>
    public static string? StreamOf(string? type) => StreamsByNormalized.GetValueOrDefault(Normalize(type));

    /// <summary>
    /// The stored names of each versioned event type, oldest first; the first is the type's name in this class (the
    /// one filters, summaries and the per-day counts use). Version N is stored as <c>name_vN</c> (Marten's upcasting keys
    /// on the stored name, so a new shape needs a new name; see Projections/README.md, "Upcasting rules").
    /// </summary>
    private static readonly Dictionary<string, string[]> Versions = new()
    {
        [CreditsGranted] = [CreditsGranted, CreditsGranted + "_v2"],
    };

    private static readonly Dictionary<string, (string Name, int Version)> ByStoredName =
        Versions.SelectMany(v => v.Value.Select((stored, i) => (stored, v.Key, i + 1))).ToDictionary(x => x.stored, x => (x.Key, x.Item3));

    /// <summary>The name a stored event type is known by in this class (<c>credits_granted_v2</c> → <c>credits_granted</c>).</summary>
    public static string Logical(string storedName) => ByStoredName.TryGetValue(storedName, out var v) ? v.Name : storedName;

    /// <summary>The version a stored type name carries: 1 for every unversioned name.</summary>
    public static int VersionOf(string storedName) => ByStoredName.TryGetValue(storedName, out var v) ? v.Version : 1;

    /// <summary>Every name <paramref name="name"/> is stored under, for SQL over <c>mt_events.type</c>.</summary>
    public static string[] Stored(string name) => Versions.TryGetValue(name, out var stored) ? stored : [name];

    /// <summary>The name new events of a versioned type are stored under (its newest version).</summary>
    public static string Current(string name) => Stored(name)[^1];

    /// <summary>Every event type the explorer's filter offers (the projection operations log is read on its own page).</summary>
    public static readonly string[] EventTypes =
    [
        WalletOpened, CreditsGranted, CreditsSpent,
        JobPosted, ParticipantInvited, JobApplicationSubmitted, ParticipantAccepted, JobLaunched, JobCompleted, JobCancelled,
        AccessControlListCreated, PermissionGranted, PermissionRevoked, PermissionExpired,
        ApprovalRequested, RequestApproved, ApprovalRefused, RequestRejected, RequestWithdrawn, RequestExpired,
        AuditExported, AuditExportStarted, AuditExportCompleted,
        CommandDenied, ReadRefused, UserSignedOut, SignInLocked, UserSignedIn, SignInRefused,
        ServiceTokenIssued, ServiceTokenRevoked, ServiceTokenUsed,
        SearchSaved, SavedSearchDeleted, TimeZoneChosen,
    ];

    private static readonly Dictionary<string, string> EventsByNormalized =
        typeof(AuditTypeNames).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Where(name => !IsStreamType(name)).ToDictionary(Normalize);

    /// <summary>
    /// The constant that <paramref name="eventType"/> names, as stored (<c>credits_granted</c>) or as the class is named
    /// (<c>CreditsGranted</c>); null for a type not listed here.
    /// </summary>
    public static string? EventOf(string? eventType) =>
        EventsByNormalized.GetValueOrDefault(Normalize(eventType is null ? null : Logical(eventType)));

    /// <summary>
    /// The event types that are appended only to streams of one type (a wallet's, a job's, an access-control list's
    /// events never go anywhere else), so a stream-type filter over many events can test <c>mt_events.type</c> instead of
    /// joining every event to <c>mt_streams</c>. Null for stream types whose events are not listed here.
    /// </summary>
    public static string[]? OnlyOn(string? streamType) => StreamOf(streamType) switch
    {
        Wallet => [WalletOpened, .. Stored(CreditsGranted), CreditsSpent],
        Job => [JobPosted, ParticipantInvited, JobApplicationSubmitted, ParticipantAccepted, JobLaunched, JobCompleted, JobCancelled],
        AccessControlList => [AccessControlListCreated, PermissionGranted, PermissionRevoked, PermissionExpired],
        _ => null,
    };
}
