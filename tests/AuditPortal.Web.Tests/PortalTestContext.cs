using MudBlazor.Services;

namespace AuditPortal.Web.Tests;

/// <summary>bUnit context with MudBlazor services, loose JS interop, zero transitions and an interactive renderer.</summary>
public abstract class PortalTestContext : BunitContext, IAsyncLifetime
{
    protected PortalTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(o =>
        {
            o.SnackbarConfiguration.ShowTransitionDuration = 0;
            o.SnackbarConfiguration.HideTransitionDuration = 0;
            o.PopoverOptions.ThrowOnDuplicateProvider = false;
        });
        // The circuit's drafts (text typed but not sent), as AddCircuitHandoff registers them.
        Services.AddScoped<AuditPortal.Web.Components.Shared.Drafts>();
        // The signed-in user's own preferences (saved searches, time zone) as the layout and the lists read them.
        Services.AddSingleton<AuditPortal.Core.Common.ICurrentActor>(Actor);
        Services.AddSingleton<AuditPortal.Core.Preferences.IUserPreferencesReads>(Preferences);
        Services.AddSingleton<AuditPortal.Core.Preferences.IUserPreferencesCommands>(Preferences);
        Services.AddScoped<AuditPortal.Web.Infrastructure.ReaderZoneState>();
        // The charts inside the wallet page and the explorer: empty, so that a page test sees only what it sets up.
        Services.AddSingleton<IWalletBalanceHistory>(new EmptyWalletBalanceHistory());
        Services.AddSingleton<IActivityHistogram>(new EmptyActivityHistogram());
        AddServices();
        // The circuit's persisted state (DraftKeeper in the layout): what a pause saves and a resume restores.
        PersistentState = AddBunitPersistentComponentState();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    protected Bunit.TestDoubles.BunitPersistentComponentState PersistentState { get; }

    /// <summary>Who the preferences belong to: "admin" unless a test signs in someone else.</summary>
    protected TestActor Actor { get; } = new("admin");

    protected Preferences.FakeUserPreferences Preferences => _preferences ??= new(Actor);
    private Preferences.FakeUserPreferences? _preferences;

    /// <summary>Register fakes here: after SetRendererInfo the service collection is frozen.</summary>
    protected virtual void AddServices() { }

    /// <summary>The component as the page at this address shows it (it reads its filters from the address), with the popover provider the layout gives its menus.</summary>
    protected IRenderedComponent<TComponent> RenderAt<TComponent>(string uri) where TComponent : IComponent
    {
        // One provider, as in the layout: a second one would claim the same section and throw.
        if (!_popoverProviderRendered) Render<MudPopoverProvider>();
        _popoverProviderRendered = true;
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        return Render<TComponent>();
    }

    private bool _popoverProviderRendered;

    /// <summary>Types each value into its field, as the user does.</summary>
    protected static void TypeInto<TComponent>(IRenderedComponent<TComponent> cut, params (string Field, string Value)[] input) where TComponent : IComponent
    {
        foreach (var (field, value) in input) cut.Find(field).Input(value);
    }

    /// <summary>Each field still holds what was typed into it.</summary>
    protected static void AssertStillTyped<TComponent>(IRenderedComponent<TComponent> cut, params (string Field, string Value)[] input) where TComponent : IComponent
    {
        foreach (var (field, value) in input) Assert.Equal((field, value), (field, cut.Find(field).GetAttribute("value")));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are async-disposable only; xunit 2 must dispose through IAsyncLifetime.
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}

/// <summary>The caller of reads and preferences in a bUnit test; a test may switch users by setting <see cref="UserName"/>.</summary>
public sealed class TestActor(string userName) : AuditPortal.Core.Common.ICurrentActor
{
    public string UserName { get; set; } = userName;

    public Task<AuditPortal.Core.Common.Actor> GetActorAsync() => Task.FromResult(new AuditPortal.Core.Common.Actor(UserName, "test-circuit"));
}
