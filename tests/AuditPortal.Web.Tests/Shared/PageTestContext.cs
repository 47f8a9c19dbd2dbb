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

}
