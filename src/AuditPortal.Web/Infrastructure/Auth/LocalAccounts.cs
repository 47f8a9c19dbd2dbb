using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
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
    private readonly PasswordHasher<string> _hasher = new();
    private readonly Dictionary<string, string> _hashes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.OrdinalIgnoreCase);
    private readonly LockoutOptions _lockout;
    private readonly TimeProvider _time;
    private readonly ILogger<LocalAccounts> _logger;
    // Unknown names are checked against this hash too, so a response time does not tell which names exist.
    private readonly string _dummyHash;

    private sealed record Failures(int Count, DateTimeOffset? LockedUntil);

    public LocalAccounts(IOptions<AuthOptions> options, IHostEnvironment environment, TimeProvider time, ILogger<LocalAccounts> logger)
    {
        _lockout = options.Value.Lockout;
        _time = time;
        _logger = logger;
        DemoAccountsEnabled = environment.IsDevelopment() && options.Value.DemoAccounts;
        if (DemoAccountsEnabled)
        {
            foreach (var demo in DemoAccounts.All) _hashes[demo.UserName] = _hasher.HashPassword(demo.UserName, DemoAccounts.Password);
        }
        foreach (var (name, user) in options.Value.Users)
        {
            if (AccountNames.IsReserved(name) || string.IsNullOrWhiteSpace(user.PasswordHash))
            {
                logger.LogWarning("Ignoring account {User} in Auth:Users: a reserved name or no PasswordHash", name);
                continue;
            }
            _hashes[name] = user.PasswordHash;
        }
        _dummyHash = _hasher.HashPassword("", Guid.NewGuid().ToString());
        if (_hashes.Count == 0 && !options.Value.OpenIdConnect.IsConfigured)
            logger.LogWarning("No accounts: set Auth:Users (see appsettings.template.json) or Auth:OpenIdConnect, or nobody can sign in");
    }

    public bool DemoAccountsEnabled { get; }

    public SignInOutcome Verify(string? userName, string? password)
    {
        var name = userName?.Trim() ?? "";
        if (name.Length == 0 || string.IsNullOrEmpty(password)) return new(SignInStatus.Invalid, Message: "Enter your user name and password.");

        var now = _time.GetUtcNow();
        if (_failures.TryGetValue(name, out var prior) && prior.LockedUntil is { } until && until > now)
            return Locked(until, now);

        var known = _hashes.TryGetValue(name, out var hash);
        var verified = _hasher.VerifyHashedPassword(name, known ? hash! : _dummyHash, password) != PasswordVerificationResult.Failed;
        if (known && verified)
        {
            _failures.TryRemove(name, out _);
            return new(SignInStatus.SignedIn, _hashes.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)));
        }

        var failures = _failures.AddOrUpdate(name, _ => new Failures(1, null),
            (_, f) => new Failures(f.LockedUntil is { } u && u <= now ? 1 : f.Count + 1, null));
        if (failures.Count >= _lockout.MaxFailedAttempts)
        {
            var lockedUntil = now.AddMinutes(_lockout.Minutes);
            _failures[name] = new Failures(0, lockedUntil);
            _logger.LogWarning("Sign-in for {User} locked until {Until} after {Count} failed attempts", name, lockedUntil, failures.Count);
            return Locked(lockedUntil, now);
        }
        _logger.LogInformation("Failed sign-in for {User} ({Count} of {Max})", name, failures.Count, _lockout.MaxFailedAttempts);
        return new(SignInStatus.Invalid, Message: "The user name or password is not correct.");
    }

    private static SignInOutcome Locked(DateTimeOffset until, DateTimeOffset now) =>
        new(SignInStatus.LockedOut, Message: $"Too many failed attempts: sign-in for this account is locked for {Math.Max(1, (int)Math.Ceiling((until - now).TotalMinutes))} more minute(s).");

    public static ClaimsPrincipal Principal(string userName, string method) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, userName), new Claim(ClaimTypes.AuthenticationMethod, method)],
            CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role));
}
