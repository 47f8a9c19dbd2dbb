namespace AuditPortal.Core.AccessControl;

/// <summary>A command refused because the actor lacked a permission on the portal's list.</summary>
public sealed record CommandDenied(
    string UserName, string CommandType, Guid CommandId, Permission MissingPermission, string CorrelationId, DateTimeOffset DeniedAt);

/// <summary>
/// A read refused on the server: <paramref name="UserName"/> lacked <paramref name="MissingPermission"/> to read
/// <paramref name="Resource"/> (e.g. "wallets", "wallet:{id}", "audit", "GET /audit/export.csv"). Coalesced per user,
/// resource and minute (<see cref="ReadRefusals"/>): a page retried in a loop records one event a minute, not one per try.
/// </summary>
public sealed record ReadRefused(string UserName, string Resource, Permission MissingPermission, DateTimeOffset RefusedAt);

/// <summary>
/// A user signed out: every session of theirs issued before <paramref name="SignedOutAt"/> ends, on every portal node
/// (<see cref="SignOutLog"/>).
/// </summary>
public sealed record UserSignedOut(string UserName, DateTimeOffset SignedOutAt);

/// <summary>
/// Sign-in for <paramref name="UserName"/> was locked after <paramref name="FailedAttempts"/> failed attempts in a row,
/// until <paramref name="LockedUntil"/> (<see cref="SignInAttempts"/>). The name is the one typed (case-folded);
/// only names of existing accounts are counted here (guesses at other names are counted in memory and never recorded).
/// <paramref name="From"/> is the client network the lock holds for (null: every network).
/// </summary>
public sealed record SignInLocked(string UserName, int FailedAttempts, DateTimeOffset LockedAt, DateTimeOffset LockedUntil, string? From = null);

/// <summary>
/// A person signed in: <paramref name="Method"/> is "password" or "oidc"; <paramref name="DisplayName"/> is the name the
/// identity provider gave (shown beside the stable user name, never used to decide anything).
/// </summary>
public sealed record UserSignedIn(string UserName, string? DisplayName, string Method, string? ClientAddress, DateTimeOffset SignedInAt);

/// <summary>
/// A sign-in of an existing account was refused (wrong password, locked, or no longer allowed by the provider).
/// Names nobody has are never recorded: their guesses are counted in memory only (<see cref="SignInAttempts"/>).
/// </summary>
public sealed record SignInRefused(string UserName, string Method, string Reason, string? ClientAddress, DateTimeOffset RefusedAt);

/// <summary>
/// One stream per user ("AccessLog" stream type) holding the portal's record of that user's access: what they were
/// refused, when they signed out, and when their sign-in was locked. The stream id derives from the user name, so it is found without a lookup table.
/// </summary>
public sealed record AccessLog(Guid Id, string UserName, int Denials, DateTimeOffset? LastSignedOutAt = null,
    DateTimeOffset? LastSignedInAt = null, string? DisplayName = null)
{
    public static AccessLog Create(CommandDenied e) => new(StreamIdFor(e.UserName), e.UserName, 1);

    public static AccessLog Create(ReadRefused e) => new(StreamIdFor(e.UserName), e.UserName, 1);

    public static AccessLog Create(UserSignedOut e) => new(StreamIdFor(e.UserName), e.UserName, 0, e.SignedOutAt);

    public static AccessLog Create(SignInLocked e) => new(StreamIdFor(e.UserName), e.UserName, 0);

    public static AccessLog Create(UserSignedIn e) => new(StreamIdFor(e.UserName), e.UserName, 0, null, e.SignedInAt, e.DisplayName);

    public static AccessLog Create(SignInRefused e) => new(StreamIdFor(e.UserName), e.UserName, 0);

    public AccessLog Apply(CommandDenied e) => this with { Denials = Denials + 1 };

    public AccessLog Apply(ReadRefused e) => this with { Denials = Denials + 1 };

    public AccessLog Apply(UserSignedOut e) => this with { LastSignedOutAt = e.SignedOutAt };

    public AccessLog Apply(SignInLocked e) => this;

    public AccessLog Apply(UserSignedIn e) => this with { LastSignedInAt = e.SignedInAt, DisplayName = e.DisplayName ?? DisplayName };

    public AccessLog Apply(SignInRefused e) => this;

    /// <summary>A name-based UUID (RFC 9562 version 5 layout) of the case-folded user name.</summary>
    public static Guid StreamIdFor(string userName) => NameBasedId.Of("auditportal:access-log:" + userName.Trim().ToLowerInvariant());
}
