using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;

namespace AuditPortal.Web.Tests.Auth;

/// <summary>Lockout under parallel guessing, name length, password work factor, startup refusals, stable OIDC names.</summary>
public class SignInUnderAttackTests
{
    private static readonly string GraceHash = PortalPasswordHasher.Hash("correct horse");

    private static LocalAccounts Accounts(int maxFailed = 5) =>
        new(new FixedOptions<AuthOptions>(new AuthOptions
        {
            Users = new(StringComparer.OrdinalIgnoreCase) { ["grace"] = new LocalUser { PasswordHash = GraceHash } },
            // Every guess reaches the count here: bounded hashing has its own tests (SignInPolicyTests).
            MaxConcurrentPasswordChecks = 20, PasswordCheckWaitMilliseconds = 60_000,
        }), new MemorySignInAttempts(maxFailed, TimeSpan.FromMinutes(15)), new TestHostEnvironment("Production"), TimeProvider.System, NullLogger<LocalAccounts>.Instance);

    [Fact]
    public async Task Given_twenty_wrong_passwords_in_parallel_When_the_limit_is_five_Then_at_most_five_reach_the_hash_and_the_account_is_locked()
    {
        var accounts = Accounts(maxFailed: 5);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => accounts.VerifyAsync("grace", $"guess-{i}"))));

        Assert.InRange(outcomes.Count(o => o.Status == SignInStatus.Invalid), 1, 5);
        Assert.Equal(20 - outcomes.Count(o => o.Status == SignInStatus.Invalid), outcomes.Count(o => o.Status == SignInStatus.LockedOut));
        Assert.Equal(SignInStatus.LockedOut, (await accounts.VerifyAsync("grace", "correct horse")).Status);
    }

    [Fact]
    public async Task Given_the_database_unreachable_When_the_right_password_is_given_Then_nobody_is_signed_in_and_the_page_says_why()
    {
        var accounts = new LocalAccounts(new FixedOptions<AuthOptions>(new AuthOptions
        {
            Users = new(StringComparer.OrdinalIgnoreCase) { ["grace"] = new LocalUser { PasswordHash = GraceHash } },
        }), new UnreachableSignInAttempts(), new TestHostEnvironment("Production"), TimeProvider.System, NullLogger<LocalAccounts>.Instance);

        var outcome = await accounts.VerifyAsync("grace", "correct horse");

        Assert.Equal(SignInStatus.Unavailable, outcome.Status);
        Assert.Null(outcome.UserName);
        Assert.Contains("not reachable", outcome.Message, StringComparison.Ordinal);
    }

    private sealed class UnreachableSignInAttempts : Core.AccessControl.ISignInAttempts
    {
        private static Exception Down() => new Npgsql.NpgsqlException("connection refused", new System.Net.Sockets.SocketException());
        public Task<Core.AccessControl.SignInSlot> ReserveAsync(string userName, DateTimeOffset now, CancellationToken ct = default, string? from = null) => throw Down();
        public Task<DateTimeOffset?> FailedAsync(Core.AccessControl.SignInSlot slot, DateTimeOffset now, CancellationToken ct = default) => throw Down();
        public Task<DateTimeOffset?> SucceededAsync(Core.AccessControl.SignInSlot slot, DateTimeOffset now, CancellationToken ct = default) => throw Down();
    }

    [Fact]
    public async Task Given_a_user_name_over_200_characters_When_signing_in_Then_it_is_refused_without_counting_against_anyone()
    {
        var accounts = Accounts(maxFailed: 1);
        var longName = "grace" + new string(' ', 1) + new string('x', 200);

        var outcome = await accounts.VerifyAsync(longName, "x");

        Assert.Equal(SignInStatus.Invalid, outcome.Status);
        Assert.Contains("at most 200", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(SignInStatus.SignedIn, (await accounts.VerifyAsync("grace", "correct horse")).Status);
    }

    [Fact]
    public void Given_a_new_hash_When_inspected_Then_it_is_PBKDF2_SHA256_at_600000_iterations_and_verifies()
    {
        var bytes = Convert.FromBase64String(GraceHash);

        Assert.Equal(1, bytes[0]);
        Assert.Equal(1u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1)));
        Assert.Equal(600_000u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5)));
        Assert.True(PortalPasswordHasher.Verify(GraceHash, "correct horse"));
        Assert.False(PortalPasswordHasher.Verify(GraceHash, "wrong"));
        Assert.False(PortalPasswordHasher.IsBelowCurrentFactor(GraceHash));
        // Identity's own verifier reads the layout too: the hashes stay standard.
        Assert.NotEqual(PasswordVerificationResult.Failed, new PasswordHasher<string>().VerifyHashedPassword("", GraceHash, "correct horse"));
    }

    [Fact]
    public void Given_a_hash_made_before_the_new_factor_When_signing_in_Then_it_still_verifies_and_is_flagged_for_renewal()
    {
        var old = new PasswordHasher<string>(Options.Create(new PasswordHasherOptions { IterationCount = 10_000 })).HashPassword("", "old secret");
        var v2 = new PasswordHasher<string>(Options.Create(new PasswordHasherOptions { CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV2 })).HashPassword("", "older secret");

        Assert.True(PortalPasswordHasher.Verify(old, "old secret"));
        Assert.True(PortalPasswordHasher.Verify(v2, "older secret"));
        Assert.True(PortalPasswordHasher.IsBelowCurrentFactor(old));
        Assert.True(PortalPasswordHasher.IsBelowCurrentFactor(v2));
        Assert.False(PortalPasswordHasher.Verify("not base64 at all!", "x"));
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Given_production_When_demo_accounts_the_default_admin_or_no_key_folder_are_configured_Then_startup_names_each_problem()
    {
        var problems = StartupSafety.Problems(Config(("Auth:DemoAccounts", "true"), ("Auth:Users:admin:PasswordHash", GraceHash)), new TestHostEnvironment("Production"));

        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Auth:DemoAccounts", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Auth:Users has an account named 'admin'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Portal:BootstrapAdmin", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DataProtection:KeyDirectory", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DataProtection:CertificatePath", StringComparison.Ordinal));
        Assert.Single(StartupSafety.Problems(Config(("Portal:BootstrapAdmin", "admin"), ("DataProtection:KeyDirectory", "/keys"), ("DataProtection:CertificatePath", "/keys/dp.pfx")), new TestHostEnvironment("Staging")));
    }

    [Fact]
    public void Given_safe_production_settings_or_Development_When_checked_Then_startup_goes_ahead()
    {
        Assert.Empty(StartupSafety.Problems(Config(("Portal:BootstrapAdmin", "grace"), ("DataProtection:KeyDirectory", "/var/lib/auditportal/keys"), ("DataProtection:CertificatePath", "/etc/auditportal/dp.pfx")), new TestHostEnvironment("Production")));
        Assert.Empty(StartupSafety.Problems(Config(("Auth:DemoAccounts", "true")), new TestHostEnvironment("Development")));
    }

    [Theory]
    [InlineData("https://login.example.com/realms/portal", "248289761001", "248289761001@login.example.com/realms/portal")]
    [InlineData("https://login.example.com:8443/", "abc", "abc@login.example.com_8443")]
    public void Given_an_issuer_and_subject_When_named_Then_the_portal_user_is_stable_and_never_reserved(string issuer, string subject, string expected)
    {
        var name = AccountNames.ForSubject(issuer, subject);

        Assert.Equal(expected, name);
        Assert.False(AccountNames.IsReserved(name));
    }
}

/// <summary>Open sessions end on a sign-out elsewhere, a removed account or the end of the session: cookies and circuits alike.</summary>
public class SessionRevalidationTests
{
    private readonly ManualClock _clock = new() { Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero) };
    private readonly AuthOptions _options = new()
    {
        Users = new(StringComparer.OrdinalIgnoreCase) { ["grace"] = new LocalUser { PasswordHash = PortalPasswordHasher.Hash("x") } },
        MaxSessionHours = 24,
        RevalidationSeconds = 0.05,
    };

    private SessionValidation Validation(SignOutRecords signOuts, AuthOptions? options = null)
    {
        var o = Options.Create(options ?? _options);
        return new(new LocalAccounts(FixedOptions.Of(o), new MemorySignInAttempts(o.Value.Lockout.MaxFailedAttempts, TimeSpan.FromMinutes(o.Value.Lockout.Minutes)), new TestHostEnvironment(), _clock, NullLogger<LocalAccounts>.Instance), signOuts, o, _clock);
    }

    [Fact]
    public void Given_a_session_When_the_user_signs_out_elsewhere_Then_sessions_issued_before_end_and_later_ones_live()
    {
        var signOuts = new SignOutRecords(_clock);
        var validation = Validation(signOuts);
        var earlier = LocalAccounts.Principal("grace", LocalAccounts.PasswordMethod, _clock.Now);
        Assert.Null(validation.Problem(earlier));

        _clock.Now = _clock.Now.AddMinutes(1);
        signOuts.Record("GRACE");
        _clock.Now = _clock.Now.AddMinutes(1);
        var later = LocalAccounts.Principal("grace", LocalAccounts.PasswordMethod, _clock.Now);

        Assert.Equal("signed out elsewhere", validation.Problem(earlier));
        Assert.Null(validation.Problem(later));
    }

    [Fact]
    public void Given_a_sign_out_known_here_When_an_older_one_arrives_from_another_node_Then_the_later_one_still_counts()
    {
        var signOuts = new SignOutRecords(_clock);
        var validation = Validation(signOuts);
        var session = LocalAccounts.Principal("grace", LocalAccounts.PasswordMethod, _clock.Now);
        _clock.Now = _clock.Now.AddMinutes(1);
        signOuts.Record("grace");

        // Another node's record from before this session's sign-in: it must not undo the later sign-out.
        signOuts.Note("Grace", _clock.Now.AddMinutes(-10).UtcTicks);

        Assert.Equal("signed out elsewhere", validation.Problem(session));
    }

    [Fact]
    public void Given_a_session_When_its_account_is_removed_or_it_outlives_the_maximum_Then_it_ends()
    {
        var principal = LocalAccounts.Principal("grace", LocalAccounts.PasswordMethod, _clock.Now);
        var removed = new AuthOptions { MaxSessionHours = 24 };

        Assert.Equal("account removed", Validation(new SignOutRecords(_clock), removed).Problem(principal));
        _clock.Now = _clock.Now.AddHours(24);
        Assert.Equal("expired", Validation(new SignOutRecords(_clock)).Problem(principal));
        Assert.Equal("not signed in", Validation(new SignOutRecords(_clock)).Problem(new ClaimsPrincipal(new ClaimsIdentity())));
        // A cookie without the sign-in stamp (made before this check existed) is not trusted either.
        var unstamped = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "grace")], "Cookies"));
        Assert.NotNull(Validation(new SignOutRecords(_clock)).Problem(unstamped));
    }

    [Fact]
    public async Task Given_an_open_circuit_When_the_user_signs_out_in_another_tab_Then_revalidation_makes_the_circuit_anonymous()
    {
        var signOuts = new SignOutRecords(_clock);
        using var provider = new PortalAuthenticationStateProvider(NullLoggerFactory.Instance, Validation(signOuts), Options.Create(_options));
        var changed = new TaskCompletionSource<AuthenticationState>(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.SetAuthenticationState(Task.FromResult(new AuthenticationState(LocalAccounts.Principal("grace", LocalAccounts.PasswordMethod, _clock.Now))));
        provider.AuthenticationStateChanged += async state => changed.TrySetResult(await state);
        Assert.True((await provider.GetAuthenticationStateAsync()).User.Identity!.IsAuthenticated);

        _clock.Now = _clock.Now.AddSeconds(1);
        signOuts.Record("grace");

        var after = await changed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(after.User.Identity?.IsAuthenticated);
        Assert.False((await provider.GetAuthenticationStateAsync()).User.Identity?.IsAuthenticated);
    }
}
