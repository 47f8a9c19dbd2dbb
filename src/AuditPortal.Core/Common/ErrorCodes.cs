namespace AuditPortal.Core.Common;

/// <summary>
/// The codes a <see cref="CommandResult"/> carries in <see cref="CommandResult.ErrorCode"/>: a contract with the pages
/// (which react to some of them) and the tests, so each is spelled once.
/// </summary>
public static class ErrorCodes
{
    public const string Validation = "validation";
    public const string Conflict = "conflict";
    public const string Forbidden = "forbidden";
    public const string Unavailable = "unavailable";
    public const string JobExists = "job-exists";
    public const string WrongWallet = "wrong-wallet";
    public const string AlreadyParticipant = "already-participant";
    public const string AlreadyApplied = "already-applied";
    public const string NotAParticipant = "not-a-participant";
    public const string NoAcceptedParticipant = "no-accepted-participant";
    public const string InsufficientCredits = "insufficient-credits";
    public const string NotLaunched = "not-launched";
    public const string JobClosed = "job-closed";
    public const string JobNotOpen = "job-not-open";
    public const string OwnerCannotParticipate = "owner-cannot-participate";
    public const string AclExists = "acl-exists";
    public const string AlreadyGranted = "already-granted";
    public const string NotGranted = "not-granted";
    public const string LastAdmin = "last-admin";
    public const string NotDue = "not-due";
    public const string WalletExists = "wallet-exists";
    public const string BalanceOverflow = "balance-overflow";
    public const string NotFound = "not-found";
    public const string RequestNotPending = "request-not-pending";
    public const string OwnRequest = "own-request";
    public const string NotRequester = "not-requester";
    public const string RequestExpired = "request-expired";
    public const string RequestNotDue = "request-not-due";
}
