using System.Net;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace AuditPortal.Web.Infrastructure.Auth;

public enum SignInStatus { SignedIn, Invalid, LockedOut, Unavailable, Busy }

public sealed record SignInOutcome(SignInStatus Status, string? UserName = null, string Message = "");

/// <summary>
/// Password sign-in against Auth:Users (and, in Development, the demo accounts), re-read whenever the configuration
/// changes (an account added or removed applies without a restart), with a lockout after repeated failures.
/// </summary>
/// <remarks>
/// Lockout policy: failures are counted per account name <em>and client network</em> (an IPv4 address or an IPv6 /64,
/// <see cref="ClientNetwork"/>): after Auth:Lockout:MaxFailedAttempts the name is locked for that network only, for
/// Auth:Lockout:Minutes, so a guesser can never lock a real user out from their own network. The counts of existing
/// names live in the database (<see cref="ISignInAttempts"/>: every node shares one count, a restart forgets nothing, a
/// lock is an event on the account's access log); names nobody has are counted in this node's memory and recorded
/// nowhere. At most Auth:MaxConcurrentPasswordChecks passwords are hashed at once (default: the processor count); an
/// attempt that finds them all busy for Auth:PasswordCheckWaitMilliseconds is answered "try again" without hashing or counting.
/// </remarks>
public sealed class LocalAccounts : IDisposable
{
    /// <summary>Longer names are refused before any lookup or hashing (and never become a key of the failure table).</summary>
    public const int MaxUserNameLength = 200;

    public const string PasswordMethod = "password";

    // Demo hashes are made at the full work factor on first use and kept across configuration reloads.
    private static readonly Lazy<string> DemoHash = new(() => PortalPasswordHasher.Hash(DemoAccounts.Password));

    private readonly ISignInAttempts _attempts;
    private readonly MemorySignInAttempts _unknownNames;
    private readonly TimeProvider _time;
    private readonly ILogger<LocalAccounts> _logger;
    private readonly SignInLog? _log;
    private readonly bool _development;
    private readonly IDisposable? _onChange;
    private readonly SemaphoreSlim _hashing;
    private readonly TimeSpan _hashWait;
    private volatile Dictionary<string, Lazy<string>> _hashes = new(StringComparer.OrdinalIgnoreCase);
    // Unknown names are checked against this hash too, so a response time does not tell which names exist.
    private readonly Lazy<string> _dummyHash = new(() => PortalPasswordHasher.Hash(Guid.NewGuid().ToString()));

    public LocalAccounts(IOptionsMonitor<AuthOptions> options, ISignInAttempts attempts, IHostEnvironment environment, TimeProvider time,
        ILogger<LocalAccounts> logger, SignInLog? log = null)
    {
        _attempts = attempts;
        _time = time;
        _logger = logger;
        _log = log;
        _development = environment.IsDevelopment();
        var current = options.CurrentValue;
        _unknownNames = new MemorySignInAttempts(current.Lockout.MaxFailedAttempts, TimeSpan.FromMinutes(current.Lockout.Minutes));
        _hashing = new SemaphoreSlim(Math.Max(1, current.MaxConcurrentPasswordChecks ?? Environment.ProcessorCount));
        _hashWait = TimeSpan.FromMilliseconds(Math.Max(0, current.PasswordCheckWaitMilliseconds));
        Load(current);
        _onChange = options.OnChange(Load);
    }

    public bool DemoAccountsEnabled { get; private set; }

    /// <summary>Whether a password account of this name is still configured (open sessions of a removed one end).</summary>
    public bool Exists(string userName) => _hashes.ContainsKey(userName);

    /// <summary>Builds the account table from the configuration; a reload replaces it whole.</summary>
    private void Load(AuthOptions options)
    {
        var hashes = new Dictionary<string, Lazy<string>>(StringComparer.OrdinalIgnoreCase);
        var demo = _development && options.DemoAccounts;
        if (demo)
        {
            foreach (var account in DemoAccounts.All) hashes[account.UserName] = DemoHash;
        }
        foreach (var (name, user) in options.Users)
        {
            if (AccountNames.IsReserved(name) || name.Length > MaxUserNameLength || string.IsNullOrWhiteSpace(user.PasswordHash))
            {
                _logger.LogWarning("Ignoring account {User} in Auth:Users: a reserved or over-long name, or no PasswordHash", name);
                continue;
            }
            if (PortalPasswordHasher.IsBelowCurrentFactor(user.PasswordHash))
                _logger.LogWarning("The password hash of {User} is below PBKDF2-SHA256 at {Iterations} iterations: it still works; make it again with `hash-password`", name, PortalPasswordHasher.Iterations);
            hashes[name] = new(user.PasswordHash);
        }
        if (hashes.Count == 0 && !options.OpenIdConnect.IsConfigured)
            _logger.LogWarning("No accounts: set Auth:Users (see appsettings.template.json) or Auth:OpenIdConnect, or nobody can sign in");
        DemoAccountsEnabled = demo;
        _hashes = hashes;
    }

    public async Task<SignInOutcome> VerifyAsync(string? userName, string? password, CancellationToken ct = default, IPAddress? client = null)
    {
        try
        {
            return await CheckAsync(userName, password, client, ct);
        }
        catch (Exception e) when (Core.Common.CommandExecutor.IsUnavailable(e))
        {
            // Fail closed: without the shared count no password is checked, and nobody is signed in.
            _logger.LogError(e, "Sign-in could not reach the database");
            return new(SignInStatus.Unavailable, Message: "The database is not reachable right now, so sign-in cannot be checked. Try again in a moment.");
        }
    }

    private async Task<SignInOutcome> CheckAsync(string? userName, string? password, IPAddress? client, CancellationToken ct)
    {
        var name = userName?.Trim() ?? "";
        if (name.Length == 0 || string.IsNullOrEmpty(password)) return new(SignInStatus.Invalid, Message: "Enter your user name and password.");
        if (name.Length > MaxUserNameLength) return new(SignInStatus.Invalid, Message: $"A user name has at most {MaxUserNameLength} characters.");

        // Bounded hashing comes first: a refused attempt costs no hash and counts against nobody.
        if (!await _hashing.WaitAsync(_hashWait, ct))
            return new(SignInStatus.Busy, Message: "Too many sign-ins are being checked right now: try again in a moment.");
        try
        {
            var hashes = _hashes;
            var known = hashes.TryGetValue(name, out var hash);
            var network = ClientNetwork.Of(client);
            var attempts = known ? _attempts : _unknownNames;
            // The slot is taken before the password is hashed: parallel guesses, on any node, each count.
            var slot = await attempts.ReserveAsync(name, _time.GetUtcNow(), ct, network);
            if (!slot.Granted)
            {
                if (known) await RefusedAsync(name, "locked", client);
                return slot.LockedUntil is { } until
                    ? Locked(until, _time.GetUtcNow())
                    : new(SignInStatus.LockedOut, Message: "Too many sign-in attempts for this account at once: try again in a moment.");
            }

            var verified = PortalPasswordHasher.Verify(known ? hash!.Value : _dummyHash.Value, password) && known;
            // Recorded whatever the caller does now: an abandoned request must not take its failure back.
            var now = _time.GetUtcNow();
            if (verified)
            {
                if (await attempts.SucceededAsync(slot, now, CancellationToken.None) is { } lockedMeanwhile) return Locked(lockedMeanwhile, now);
                return new(SignInStatus.SignedIn, hashes.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)));
            }
            var lockedUntil = await attempts.FailedAsync(slot, now, CancellationToken.None);
            if (known) await RefusedAsync(name, "wrong password", client);
            if (lockedUntil is { } until2)
            {
                _logger.LogWarning("Sign-in for {User} from {Network} locked until {Until} after repeated failed attempts", name, network, until2);
                return Locked(until2, now);
            }
            _logger.LogInformation("Failed sign-in for {User}", name);
            return new(SignInStatus.Invalid, Message: "The user name or password is not correct.");
        }
        finally
        {
            _hashing.Release();
        }
    }

    /// <summary>A password sign-in on the user's access log (who, when, how, from where).</summary>
    public Task SignedInAsync(string userName, IPAddress? client, string correlationId) =>
        _log?.SignedInAsync(userName, null, PasswordMethod, client?.ToString(), correlationId, CancellationToken.None) ?? Task.CompletedTask;

    /// <summary>A refused sign-in of an existing account goes on its access log (names nobody has are never recorded).</summary>
    private Task RefusedAsync(string name, string reason, IPAddress? client) =>
        _log?.RefusedAsync(SignInAttempts.KeyOf(name), PasswordMethod, reason, client?.ToString(), Guid.CreateVersion7().ToString(), CancellationToken.None) ?? Task.CompletedTask;

    private static SignInOutcome Locked(DateTimeOffset until, DateTimeOffset now) =>
        new(SignInStatus.LockedOut, Message: $"Too many failed attempts: sign-in for this account is locked for {Math.Max(1, (int)Math.Ceiling((until - now).TotalMinutes))} more minute(s).");

    public static ClaimsPrincipal Principal(string userName, string method, DateTimeOffset issuedAt) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, userName),
                new Claim(ClaimTypes.AuthenticationMethod, method),
                new Claim(SessionValidation.IssuedClaim, issuedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role));

    public void Dispose()
    {
        _onChange?.Dispose();
        _hashing.Dispose();
    }
}
