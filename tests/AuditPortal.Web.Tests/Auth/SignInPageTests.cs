using AuditPortal.Web.Components.Pages.Account;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace AuditPortal.Web.Tests.Auth;

public class SignInPageTests : PortalTestContext
{
    private readonly RecordingAuthenticationService _authentication = new();

    protected override void AddServices()
    {
        var options = Options.Create(new AuthOptions { Lockout = new LockoutOptions { MaxFailedAttempts = 2, Minutes = 10 } });
        Services.AddSingleton(options);
        Services.AddSingleton(new LocalAccounts(FixedOptions.Of(options), new MemorySignInAttempts(options.Value.Lockout.MaxFailedAttempts, TimeSpan.FromMinutes(options.Value.Lockout.Minutes)), new TestHostEnvironment("Development"), TimeProvider.System, NullLogger<LocalAccounts>.Instance));
    }

    private IRenderedComponent<SignIn> RenderPage()
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddSingleton<IAuthenticationService>(_authentication).BuildServiceProvider() };
        return Render<SignIn>(p => p.AddCascadingValue(http));
    }

    private static void Submit(IRenderedComponent<SignIn> cut, string user, string password)
    {
        cut.Find("#username").Change(user);
        cut.Find("#password").Change(password);
        cut.Find("#signin-form").Submit();
    }

    [Fact]
    public void Given_Development_When_the_sign_in_page_renders_Then_it_shows_the_form_and_every_demo_account()
    {
        var cut = RenderPage();

        Assert.Equal("password", cut.Find("#password").GetAttribute("type"));
        var rows = cut.FindAll("#demo-accounts tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(5, rows.Count);
        Assert.Contains(rows, r => r.Contains("carol", StringComparison.Ordinal) && r.Contains("Auditor", StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("#signin-external"));
    }

    [Fact]
    public void Given_a_correct_password_When_signing_in_Then_the_user_name_signs_in_and_goes_to_the_return_url()
    {
        Services.GetRequiredService<BunitNavigationManager>().NavigateTo("account/signin?returnUrl=%2Fjobs");
        var cut = RenderPage();

        Submit(cut, "Alice", DemoAccounts.Password);

        cut.WaitForAssertion(() => Assert.Equal("alice", _authentication.SignedIn?.Identity?.Name));
        Assert.EndsWith("/jobs", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_wrong_password_When_signing_in_Then_an_error_shows_nobody_signs_in_and_the_password_clears()
    {
        var cut = RenderPage();

        Submit(cut, "alice", "wrong");

        cut.WaitForAssertion(() => Assert.Contains("not correct", cut.Find("#signin-error").TextContent, StringComparison.Ordinal));
        Assert.Null(_authentication.SignedIn);
        Assert.Equal("", cut.Find("#password").GetAttribute("value") ?? "");
        Assert.Equal("alice", cut.Find("#username").GetAttribute("value"));
    }

    [Fact]
    public void Given_repeated_failures_When_the_right_password_follows_Then_the_account_is_locked()
    {
        var cut = RenderPage();
        Submit(cut, "sam", "wrong");
        Submit(cut, "sam", "wrong");
        Submit(cut, "sam", DemoAccounts.Password);

        cut.WaitForAssertion(() => Assert.Contains("locked", cut.Find("#signin-error").TextContent, StringComparison.Ordinal));
        Assert.Null(_authentication.SignedIn);
    }

    [Fact]
    public void Given_empty_fields_When_submitting_Then_they_are_reported_without_a_sign_in_attempt()
    {
        var cut = RenderPage();

        cut.Find("#signin-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Enter your user name.", cut.Markup, StringComparison.Ordinal));
        Assert.Null(_authentication.SignedIn);
    }

    private sealed class RecordingAuthenticationService : IAuthenticationService
    {
        public ClaimsPrincipal? SignedIn { get; private set; }

        public Task SignInAsync(HttpContext context, string? scheme, ClaimsPrincipal principal, AuthenticationProperties? properties)
        {
            SignedIn = principal;
            return Task.CompletedTask;
        }

        public Task<AuthenticateResult> AuthenticateAsync(HttpContext context, string? scheme) => Task.FromResult(AuthenticateResult.NoResult());
        public Task ChallengeAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => Task.CompletedTask;
        public Task ForbidAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => Task.CompletedTask;
        public Task SignOutAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => Task.CompletedTask;
    }
}

public class SignInPageOutsideDevelopmentTests : PortalTestContext
{
    protected override void AddServices()
    {
        var options = Options.Create(new AuthOptions
        {
            OpenIdConnect = new OpenIdConnectSettings { Authority = "https://login.example", ClientId = "portal", DisplayName = "Example SSO" },
        });
        Services.AddSingleton(options);
        Services.AddSingleton(new LocalAccounts(FixedOptions.Of(options), new MemorySignInAttempts(options.Value.Lockout.MaxFailedAttempts, TimeSpan.FromMinutes(options.Value.Lockout.Minutes)), new TestHostEnvironment(), TimeProvider.System, NullLogger<LocalAccounts>.Instance));
    }

    [Fact]
    public async Task Given_production_with_single_sign_on_configured_When_the_sign_in_page_opens_Then_no_demo_accounts_and_single_sign_on_is_offered()
    {
        Services.GetRequiredService<BunitNavigationManager>().NavigateTo("account/signin?returnUrl=%2Faudit");
        var cut = Render<SignIn>(p => p.AddCascadingValue<HttpContext>(new DefaultHttpContext()));

        Assert.Empty(cut.FindAll("#demo-accounts"));
        var sso = cut.Find("#signin-external");
        Assert.Contains("Example SSO", sso.TextContent, StringComparison.Ordinal);
        Assert.Equal("/account/signin-external?returnUrl=%2Faudit", sso.GetAttribute("href"));
        Assert.Equal(SignInStatus.Invalid, (await Services.GetRequiredService<LocalAccounts>().VerifyAsync("admin", DemoAccounts.Password)).Status);
    }

}
