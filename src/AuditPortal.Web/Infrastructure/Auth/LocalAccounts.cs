using System.Security.Claims;
using AuditPortal.Core.AccessControl;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace AuditPortal.Web.Infrastructure.Auth;

public enum SignInStatus { SignedIn, Invalid, LockedOut, Unavailable }

public sealed record SignInOutcome(SignInStatus Status, string? UserName = null, string Message = "");

/// <summary>
/// Password sign-in against Auth:Users (and, in Development, the demo accounts) with a lockout after repeated
/// failures. The failures are counted in the database (<see cref="ISignInAttempts"/>), so every portal node shares
/// one count per name and a restart forgets nothing.
/// </summary>
public sealed class LocalAccounts
{
    /// <summary>Longer names are refused before any lookup or hashing (and never become a key of the failure table).</summary>
    public const int MaxUserNameLength = 200;

    public const string PasswordMethod = "password";

    private readonly Dictionary<string, Lazy<string>> _hashes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ISignInAttempts _attempts;
    private readonly TimeProvider _time;
    private readonly ILogger<LocalAccounts> _logger;
    // Unknown names are checked against this hash too, so a response time does not tell which names exist.
    private readonly Lazy<string> _dummyHash = new(() => PortalPasswordHasher.Hash(Guid.NewGuid().ToString()));

    public LocalAccounts(IOptions<AuthOptions> options, ISignInAttempts attempts, IHostEnvironment environment, TimeProvider time, ILogger<LocalAccounts> logger)
    {
        _attempts = attempts;
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

    public async Task<SignInOutcome> VerifyAsync(string? userName, string? password, CancellationToken ct = default)
    {
        try
        {
            return await CheckAsync(userName, password, ct);
        }
        catch (Exception e) when (Core.Common.CommandExecutor.IsUnavailable(e))
        {
            // Fail closed: without the shared count no password is checked, and nobody is signed in.
            _logger.LogError(e, "Sign-in could not reach the database");
            return new(SignInStatus.Unavailable, Message: "The database is not reachable right now, so sign-in cannot be checked. Try again in a moment.");
        }
    }

    private async Task<SignInOutcome> CheckAsync(string? userName, string? password, CancellationToken ct)
    {
        var name = userName?.Trim() ?? "";
        if (name.Length == 0 || string.IsNullOrEmpty(password)) return new(SignInStatus.Invalid, Message: "Enter your user name and password.");
        if (name.Length > MaxUserNameLength) return new(SignInStatus.Invalid, Message: $"A user name has at most {MaxUserNameLength} characters.");

        // The slot is taken before the password is hashed: parallel guesses, on any node, each count.
        var slot = await _attempts.ReserveAsync(name, _time.GetUtcNow(), ct);
        if (!slot.Granted)
        {
            return slot.LockedUntil is { } until
                ? Locked(until, _time.GetUtcNow())
                : new(SignInStatus.LockedOut, Message: "Too many sign-in attempts for this account at once: try again in a moment.");
        }

        var known = _hashes.TryGetValue(name, out var hash);
        var verified = PortalPasswordHasher.Verify(known ? hash!.Value : _dummyHash.Value, password) && known;
        // Recorded whatever the caller does now: an abandoned request must not take its failure back.
        var now = _time.GetUtcNow();
        if (verified)
        {
            if (await _attempts.SucceededAsync(slot, now, CancellationToken.None) is { } lockedMeanwhile) return Locked(lockedMeanwhile, now);
            return new(SignInStatus.SignedIn, _hashes.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)));
        }
        if (await _attempts.FailedAsync(slot, now, CancellationToken.None) is { } lockedUntil)
        {
            _logger.LogWarning("Sign-in for {User} locked until {Until} after repeated failed attempts", name, lockedUntil);
            return Locked(lockedUntil, now);
        }
        _logger.LogInformation("Failed sign-in for {User}", name);
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
