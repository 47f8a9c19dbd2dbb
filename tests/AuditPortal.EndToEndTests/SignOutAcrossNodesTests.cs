namespace AuditPortal.EndToEndTests;

/// <summary>
/// Two portal nodes on one database, as behind a load balancer: they share the data-protection keys (so a cookie of
/// one is good on the other) and run the daemon in HotCold mode. Node A is this fixture's server; node B is started
/// beside it on the same database.
/// </summary>
public sealed class TwoPortalNodes : PortalServer, IAsyncLifetime
{
    private readonly string _keys = Directory.CreateTempSubdirectory("auditportal-keys-").FullName;
    private WebApplicationFactory<Program>? _nodeB;

    public string NodeB { get; private set; } = "";
    public IServiceProvider NodeBServices => _nodeB!.Services;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["DataProtection:KeyDirectory"] = _keys,
        ["Projections:DaemonMode"] = "HotCold",
        ["Auth:SignOutSyncSeconds"] = "0.2",
        ["Auth:RevalidationSeconds"] = "0.5",
    };

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        (_nodeB, NodeB) = StartNode(ConnectionString, Settings);
    }

    public new async Task DisposeAsync()
    {
        if (_nodeB is not null) await _nodeB.DisposeAsync();
        await base.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }
}

public class SignOutAcrossNodesTests(TwoPortalNodes nodes) : IClassFixture<TwoPortalNodes>
{
    [Fact]
    public async Task Given_a_user_signed_in_on_two_nodes_When_signing_out_on_one_Then_the_other_ends_the_open_page_and_refuses_the_cookie()
    {
        var onA = await nodes.SignInAsync("sam", "/wallets");
        var onB = await nodes.SignInAtAsync(nodes.NodeB, "sam", "/wallets");
        var cookiesOfB = await onB.Context.CookiesAsync();

        await onA.Locator("#sign-out").ClickAsync();
        await onA.Locator("#signed-out").WaitForAsync();

        // Node B learns the sign-out from the event store within Auth:SignOutSyncSeconds; its open page (circuit)
        // ends at the next revalidation and shows the sign-in prompt.
        var records = nodes.NodeBServices.GetRequiredService<SignOutRecords>();
        await Poll.UntilAsync(() => records.EndedAfter("sam", DateTimeOffset.UtcNow.AddSeconds(-5).UtcTicks), TimeSpan.FromSeconds(15));
        await onB.WaitForURLAsync(url => url.Contains("/account/signin", StringComparison.Ordinal));

        // The cookie node B issued before the sign-out no longer opens a page there, in a fresh context too.
        var replay = await nodes.Browser.NewContextAsync();
        await replay.AddCookiesAsync(cookiesOfB.Select(c => new Microsoft.Playwright.Cookie
        {
            Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
        }));
        var page = await replay.NewPageAsync();
        await page.GotoAsync(nodes.NodeB + "/wallets");
        await page.WaitForURLAsync(url => url.Contains("/account/signin", StringComparison.Ordinal));
    }
}
