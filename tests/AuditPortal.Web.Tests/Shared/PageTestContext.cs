namespace AuditPortal.Web.Tests.Shared;

/// <summary>bUnit context with in-memory reads, a recording command fake, the real notifier and a signed-in admin who may grant and spend.</summary>
public abstract class PageTestContext : PortalTestContext
{
    protected FakeWalletReads WalletReads { get; } = new();
    protected FakeWalletCommands WalletCommands { get; } = new();
    protected FakeJobReads JobReads { get; } = new();
    protected FakeReadModelLag Lag { get; } = new();
    protected Approvals.FakeApprovalReads ApprovalReads { get; } = new();
    protected Approvals.FakeApprovalCommands ApprovalCommands { get; } = new();
    protected ReadModelChanges Changes { get; } = new();
    protected BunitAuthorizationContext Auth { get; private set; } = null!;

    protected override void AddServices()
    {
        Services.AddSingleton<IWalletReads>(WalletReads);
        Services.AddSingleton<IWalletCommands>(WalletCommands);
        Services.AddSingleton<IJobReads>(JobReads);
        Services.AddSingleton<IReadModelLag>(Lag);
        Services.AddSingleton<Core.Approvals.IApprovalReads>(ApprovalReads);
        Services.AddSingleton<Core.Approvals.IApprovalCommands>(ApprovalCommands);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(Changes);
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        Auth = AddAuthorization();
        Auth.SetAuthorized("admin");
        Auth.SetPolicies(Policies.GrantCredits, Policies.SpendCredits);
        Services.AddScoped<CurrentUser>();
    }

    /// <summary>Snackbars and select menus render inside the providers.</summary>
    protected IRenderedComponent<MudSnackbarProvider> RenderProviders()
    {
        Render<MudPopoverProvider>();
        return Render<MudSnackbarProvider>();
    }

    /// <summary>The text of the read-model banner of a list page that opens while the read models are this far behind.</summary>
    protected string BannerWhenBehind<TList>(ReadModelLag lag) where TList : IComponent
    {
        Lag.Current = lag;
        RenderProviders();
        return Render<TList>().Find("#read-model-banner").TextContent;
    }

    /// <summary>Clicks the sort button in the header of a list's column.</summary>
    protected static void SortBy<TList>(IRenderedComponent<TList> cut, string column) where TList : IComponent =>
        cut.FindAll("th").First(th => th.TextContent.Contains(column)).QuerySelector(".sortable-column-header")!.Click();

    /// <summary>Types into a list's text filter, then sorts a column: the address carries the filter, then both, and the typed text stays.</summary>
    protected void AssertAddressFollowsFilterThenSort<TList>(IRenderedComponent<TList> cut, string filter, string typed, string filteredAddress, string column)
        where TList : IComponent
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        cut.Find(filter).Input(typed);
        cut.WaitForAssertion(() => Assert.EndsWith(filteredAddress, navigation.Uri), TimeSpan.FromSeconds(5));
        SortBy(cut, column);
        cut.WaitForAssertion(() => Assert.EndsWith($"{filteredAddress}&sort={column}", navigation.Uri));
        Assert.Equal(typed, cut.Find(filter).GetAttribute("value"));
    }
}
