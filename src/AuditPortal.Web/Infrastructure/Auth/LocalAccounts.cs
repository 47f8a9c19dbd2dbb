using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace AuditPortal.Web.Infrastructure.Auth;

public enum SignInStatus { SignedIn, Invalid, LockedOut }

public sealed record SignInOutcome(SignInStatus Status, string? UserName = null, string Message = "");

/// <summary>
/// Password sign-in against Auth:Users (and, in Development, the demo accounts) with a lockout after repeated
/// failures. The failure counts live in memory: one portal node; a restart forgets them.
/// </summary>
public sealed class LocalAccounts
{
    /// <summary>Longer names are refused before any lookup or hashing (and never become a key of the failure table).</summary>
    public const int MaxUserNameLength = 200;

    public const string PasswordMethod = "password";

    private readonly Dictionary<string, Lazy<string>> _hashes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Attempts> _attempts = new(StringComparer.OrdinalIgnoreCase);
    private readonly LockoutOptions _lockout;
    private readonly TimeProvider _time;
    private readonly ILogger<LocalAccounts> _logger;
    // Unknown names are checked against this hash too, so a response time does not tell which names exist.
    private readonly Lazy<string> _dummyHash = new(() => PortalPasswordHasher.Hash(Guid.NewGuid().ToString()));

    /// <summary>
    /// Failed attempts of one name, changed only under its own lock. An attempt is counted before its password is
    /// hashed, so parallel wrong passwords each take a slot: at most MaxFailedAttempts guesses reach the hash per
    /// lockout, and a success never erases failures counted after it started.
    /// </summary>
    private sealed class Attempts
    {
        public int Failed;
        public int InFlight;
        public DateTimeOffset? LockedUntil;
    }

    public LocalAccounts(IOptions<AuthOptions> options, IHostEnvironment environment, TimeProvider time, ILogger<LocalAccounts> logger)
    {
        _lockout = options.Value.Lockout;
        _time = time;
        _logger = logger;
        DemoAccountsEnabled = environment.IsDevelopment() && options.Value.DemoAccounts;
        if (DemoAccountsEnabled)
        {
            // Hashed at the full work factor on first use, so demo and real accounts take the same time to check.
            foreach (var demo in DemoAccounts.All) _hashes[demo.UserName] = new(() => PortalPasswordHasher.Hash(DemoAccounts.Password));
        }
        foreach (var (name, user) in options.Value.Users)
        {
            if (AccountNames.IsReserved(name) || name.Length > MaxUserNameLength || string.IsNullOrWhiteSpace(user.PasswordHash))
            {
                logger.LogWarning("Ignoring account {User} in Auth:Users: a reserved or over-long name, or no PasswordHash", name);
                continue;
            }
            if (PortalPasswordHasher.IsBelowCurrentFactor(user.PasswordHash))
                logger.LogWarning("The password hash of {User} is below PBKDF2-SHA256 at {Iterations} iterations: it still works; make it again with `hash-password`", name, PortalPasswordHasher.Iterations);
            var hash = user.PasswordHash;
            _hashes[name] = new(hash);
        }
        if (_hashes.Count == 0 && !options.Value.OpenIdConnect.IsConfigured)
            logger.LogWarning("No accounts: set Auth:Users (see appsettings.template.json) or Auth:OpenIdConnect, or nobody can sign in");
    }

    public bool DemoAccountsEnabled { get; }

    /// <summary>Whether a password account of this name is still configured (open sessions of a removed one end).</summary>
    public bool Exists(string userName) => _hashes.ContainsKey(userName);

    public SignInOutcome Verify(string? userName, string? password)
    {
        var name = userName?.Trim() ?? "";
        if (name.Length == 0 || string.IsNullOrEmpty(password)) return new(SignInStatus.Invalid, Message: "Enter your user name and password.");
        if (name.Length > MaxUserNameLength) return new(SignInStatus.Invalid, Message: $"A user name has at most {MaxUserNameLength} characters.");

        var now = _time.GetUtcNow();
        var attempts = _attempts.GetOrAdd(name, _ => new Attempts());
        lock (attempts)
        {
            if (attempts.LockedUntil is { } until)
            {
                if (until > now) return Locked(until, now);
                attempts.LockedUntil = null;
                attempts.Failed = 0;
            }
            // Slots already taken by failures and by checks still running: no more guesses than the limit.
            if (attempts.Failed + attempts.InFlight >= _lockout.MaxFailedAttempts)
                return new(SignInStatus.LockedOut, Message: "Too many sign-in attempts for this account at once: try again in a moment.");
            attempts.InFlight++;
        }

        bool verified;
        var known = _hashes.TryGetValue(name, out var hash);
        try
        {
            verified = PortalPasswordHasher.Verify(known ? hash!.Value : _dummyHash.Value, password) && known;
        }
        finally
        {
            lock (attempts) attempts.InFlight--;
        }

        lock (attempts)
        {
            if (verified && attempts.LockedUntil is null)
            {
                // Failures of guesses still being checked stay counted: a success cannot reset a lockout in progress.
                if (attempts.InFlight == 0) attempts.Failed = 0;
                return new(SignInStatus.SignedIn, _hashes.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)));
            }
            if (attempts.LockedUntil is { } lockedBySomeoneElse) return Locked(lockedBySomeoneElse, now);
            attempts.Failed++;
            if (attempts.Failed >= _lockout.MaxFailedAttempts)
            {
                attempts.LockedUntil = now.AddMinutes(_lockout.Minutes);
                _logger.LogWarning("Sign-in for {User} locked until {Until} after {Count} failed attempts", name, attempts.LockedUntil, attempts.Failed);
                return Locked(attempts.LockedUntil.Value, now);
            }
            _logger.LogInformation("Failed sign-in for {User} ({Count} of {Max})", name, attempts.Failed, _lockout.MaxFailedAttempts);
        }
        return new(SignInStatus.Invalid, Message: "The user name or password is not correct.");
    }

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
}
