using Microsoft.AspNetCore.Identity;

namespace AuditPortal.Web.Tests.Auth;

public class LocalAccountsTests
{
    private static LocalAccounts Accounts(ManualClock clock, string environment = "Production") =>
        new(new FixedOptions<AuthOptions>(new AuthOptions
        {
            Users = new(StringComparer.OrdinalIgnoreCase)
            {
                ["Grace"] = new LocalUser { PasswordHash = new PasswordHasher<string>().HashPassword("Grace", "correct horse") },
                ["system:evil"] = new LocalUser { PasswordHash = new PasswordHasher<string>().HashPassword("system:evil", "x") },
            },
        }), new MemorySignInAttempts(3, TimeSpan.FromMinutes(15)), new TestHostEnvironment(environment), clock, NullLogger<LocalAccounts>.Instance);

    [Fact]
    public async Task Given_a_configured_hash_When_the_password_matches_Then_the_configured_spelling_of_the_name_signs_in()
    {
        var outcome = await Accounts(new ManualClock()).VerifyAsync(" grace ", "correct horse");

        Assert.Equal((SignInStatus.SignedIn, "Grace"), (outcome.Status, outcome.UserName));
    }

    [Fact]
    public async Task Given_three_failures_When_the_lockout_passes_Then_the_right_password_works_again()
    {
        var clock = new ManualClock();
        var accounts = Accounts(clock);
        await accounts.VerifyAsync("grace", "a");
        await accounts.VerifyAsync("grace", "b");
        Assert.Equal(SignInStatus.LockedOut, (await accounts.VerifyAsync("grace", "c")).Status);

        clock.Now = clock.Now.AddMinutes(14);
        Assert.Equal(SignInStatus.LockedOut, (await accounts.VerifyAsync("grace", "correct horse")).Status);

        clock.Now = clock.Now.AddMinutes(2);
        Assert.Equal(SignInStatus.SignedIn, (await accounts.VerifyAsync("grace", "correct horse")).Status);
    }

    [Fact]
    public async Task Given_reserved_or_demo_names_outside_Development_When_signing_in_Then_they_are_refused()
    {
        var accounts = Accounts(new ManualClock());

        Assert.Equal(SignInStatus.Invalid, (await accounts.VerifyAsync("system:evil", "x")).Status);
        Assert.Equal(SignInStatus.Invalid, (await accounts.VerifyAsync("admin", DemoAccounts.Password)).Status);
        Assert.False(accounts.DemoAccountsEnabled);
        Assert.True(Accounts(new ManualClock(), "Development").DemoAccountsEnabled);
    }

    [Theory]
    [InlineData("/wallets?page=2", "/wallets?page=2")]
    [InlineData("/", "/")]
    [InlineData("//evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData(null, "/")]
    public void Given_a_return_url_When_made_safe_Then_it_stays_on_this_site(string? returnUrl, string expected) => Assert.Equal(expected, AccountNames.SafeReturnUrl(returnUrl));
}
