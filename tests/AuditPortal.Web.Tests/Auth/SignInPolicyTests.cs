using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace AuditPortal.Web.Tests.Auth;

/// <summary>
/// Lockout attackers cannot turn against users (IPv6 per /64, bounded hashing, no records of made-up names, locks per
/// network), configuration reloads, the hash-password tool, and data-protection keys encrypted at rest.
/// </summary>
public class SignInPolicyTests
{
    private static readonly string GraceHash = PortalPasswordHasher.Hash("correct horse battery");

    private static AuthOptions Options(int maxConcurrent = 4, double waitMs = 60_000) => new()
    {
        Users = new(StringComparer.OrdinalIgnoreCase) { ["grace"] = new LocalUser { PasswordHash = GraceHash } },
        Lockout = new LockoutOptions { MaxFailedAttempts = 3, Minutes = 15 },
        MaxConcurrentPasswordChecks = maxConcurrent,
        PasswordCheckWaitMilliseconds = waitMs,
    };

    private static LocalAccounts Accounts(AuthOptions options, ISignInAttempts attempts, TimeProvider? time = null) =>
        new(new FixedOptions<AuthOptions>(options), attempts, new TestHostEnvironment("Production"), time ?? TimeProvider.System, NullLogger<LocalAccounts>.Instance);

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("::ffff:203.0.113.5", "203.0.113.5", true)]
    [InlineData("203.0.113.5", "203.0.113.6", false)]
    public void Given_two_client_addresses_When_counted_Then_IPv6_counts_per_64_and_IPv4_per_address(string a, string b, bool same)
    {
        Assert.Equal(same, ClientNetwork.Of(IPAddress.Parse(a)) == ClientNetwork.Of(IPAddress.Parse(b)));
        Assert.Equal("2001:db8:1:2::/64", ClientNetwork.Of(IPAddress.Parse("2001:db8:1:2:aaaa::7")));
    }

    [Fact]
    public async Task Given_every_hashing_slot_busy_When_another_attempt_comes_Then_it_is_answered_busy_at_once_and_counts_against_nobody()
    {
        var attempts = new GatedSignInAttempts(new MemorySignInAttempts(3, TimeSpan.FromMinutes(15)));
        var accounts = Accounts(Options(maxConcurrent: 1, waitMs: 0), attempts);

        var first = accounts.VerifyAsync("grace", "correct horse battery");
        await attempts.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var second = await accounts.VerifyAsync("grace", "wrong");

        Assert.Equal(SignInStatus.Busy, second.Status);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(1), $"refused after {started.Elapsed}");
        Assert.Equal(1, attempts.Reserved);
        attempts.Gate.SetResult();
        Assert.Equal(SignInStatus.SignedIn, (await first).Status);
    }

    [Fact]
    public async Task Given_guesses_at_a_name_nobody_has_When_they_lock_it_Then_the_shared_count_and_the_record_are_never_touched()
    {
        var shared = new GatedSignInAttempts(new MemorySignInAttempts(3, TimeSpan.FromMinutes(15)));
        shared.Gate.SetResult();
        var accounts = Accounts(Options(), shared);

        var outcomes = new List<SignInStatus>();
        for (var i = 0; i < 4; i++) outcomes.Add((await accounts.VerifyAsync("made-up-name", $"guess-{i}", client: IPAddress.Parse("203.0.113.5"))).Status);

        Assert.Equal([SignInStatus.Invalid, SignInStatus.Invalid, SignInStatus.LockedOut, SignInStatus.LockedOut], outcomes);
        Assert.Equal(0, shared.Reserved);
    }

    [Fact]
    public async Task Given_one_network_that_locked_a_real_account_When_its_owner_signs_in_from_another_Then_they_get_in()
    {
        var clock = new ManualClock();
        var accounts = Accounts(Options(), new MemorySignInAttempts(3, TimeSpan.FromMinutes(15)), clock);
        var attacker = IPAddress.Parse("2001:db8:bad:1::10");
        for (var i = 0; i < 3; i++) await accounts.VerifyAsync("grace", $"guess-{i}", client: attacker);

        // Another address of the attacker's /64 is the same network: still locked.
        Assert.Equal(SignInStatus.LockedOut, (await accounts.VerifyAsync("grace", "correct horse battery", client: IPAddress.Parse("2001:db8:bad:1::99"))).Status);
        Assert.Equal(SignInStatus.SignedIn, (await accounts.VerifyAsync("grace", "correct horse battery", client: IPAddress.Parse("198.51.100.7"))).Status);
        clock.Now = clock.Now.AddMinutes(16);
        Assert.Equal(SignInStatus.SignedIn, (await accounts.VerifyAsync("grace", "correct horse battery", client: attacker)).Status);
    }

    [Fact]
    public async Task Given_the_accounts_in_configuration_When_one_is_added_and_one_removed_Then_it_applies_without_a_restart()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Users:grace:PasswordHash"] = GraceHash,
        }).Build();
        var services = new ServiceCollection().AddOptions().Configure<AuthOptions>(configuration.GetSection("Auth")).BuildServiceProvider();
        using var accounts = new LocalAccounts(services.GetRequiredService<IOptionsMonitor<AuthOptions>>(), new MemorySignInAttempts(3, TimeSpan.FromMinutes(15)),
            new TestHostEnvironment("Production"), TimeProvider.System, NullLogger<LocalAccounts>.Instance);
        Assert.True(accounts.Exists("grace"));
        Assert.False(accounts.Exists("heidi"));

        configuration["Auth:Users:heidi:PasswordHash"] = GraceHash;
        configuration["Auth:Users:grace:PasswordHash"] = null;
        configuration.Reload();

        Assert.True(accounts.Exists("heidi"));
        Assert.False(accounts.Exists("grace"));
        Assert.Equal(SignInStatus.SignedIn, (await accounts.VerifyAsync("heidi", "correct horse battery")).Status);
        Assert.Equal(SignInStatus.Invalid, (await accounts.VerifyAsync("grace", "correct horse battery")).Status);
    }

    [Fact]
    public void Given_hash_password_When_a_password_is_given_Then_the_output_is_JSON_with_the_portal_hash_and_short_ones_are_refused()
    {
        Assert.NotNull(HashPasswordCommand.Problem("short"));
        Assert.NotNull(HashPasswordCommand.Problem(""));
        Assert.Null(HashPasswordCommand.Problem("twelve chars"));

        var json = HashPasswordCommand.Json("o\"brien", "correct horse battery");

        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var hash = doc.RootElement.GetProperty("Auth").GetProperty("Users").GetProperty("o\"brien").GetProperty("PasswordHash").GetString()!;
        Assert.False(PortalPasswordHasher.IsBelowCurrentFactor(hash));
        Assert.True(PortalPasswordHasher.Verify(hash, "correct horse battery"));
    }

    [Fact]
    public void Given_a_key_certificate_When_keys_are_written_Then_they_are_encrypted_at_rest_and_a_restart_reads_them()
    {
        var folder = Directory.CreateTempSubdirectory("dp-keys-");
        try
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=auditportal-data-protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            var pfx = Path.Combine(folder.FullName, "dp.pfx");
            File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pkcs12, "pfx-secret"));
            var keys = Path.Combine(folder.FullName, "keys");
            IDataProtector Protector()
            {
                var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
                {
                    [StartupSafety.KeyDirectoryKey] = keys,
                    [StartupSafety.KeyCertificateKey] = pfx,
                    [StartupSafety.KeyCertificatePasswordKey] = "pfx-secret",
                }).Build();
                var services = new ServiceCollection().AddLogging();
                services.AddPortalAuth(configuration);
                return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
            }

            var sealedText = Protector().Protect("session");
            var keyXml = File.ReadAllText(Directory.GetFiles(keys, "key-*.xml").Single());
            Assert.Contains("EncryptedData", keyXml, StringComparison.Ordinal);
            // An unencrypted key holds its secret in <masterKey><value>; an encrypted one only in <EncryptedData>.
            Assert.DoesNotContain("<value>", keyXml, StringComparison.Ordinal);
            // A second process (a restart, another node) reads the key with the same certificate.
            Assert.Equal("session", Protector().Unprotect(sealedText));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Holds every reservation until <see cref="Gate"/> opens, so a test can keep a hashing slot busy without timing.</summary>
    private sealed class GatedSignInAttempts(ISignInAttempts inner) : ISignInAttempts
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Reserved;

        public async Task<SignInSlot> ReserveAsync(string userName, DateTimeOffset now, CancellationToken ct = default, string? from = null)
        {
            Interlocked.Increment(ref Reserved);
            Entered.TrySetResult();
            await Gate.Task;
            return await inner.ReserveAsync(userName, now, ct, from);
        }

        public Task<DateTimeOffset?> FailedAsync(SignInSlot slot, DateTimeOffset now, CancellationToken ct = default) => inner.FailedAsync(slot, now, ct);
        public Task<DateTimeOffset?> SucceededAsync(SignInSlot slot, DateTimeOffset now, CancellationToken ct = default) => inner.SucceededAsync(slot, now, ct);
    }
}
