using Microsoft.AspNetCore.Components;
using MudBlazor;
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
        AddServices();
        // The circuit's persisted state (DraftKeeper in the layout): what a pause saves and a resume restores.
        PersistentState = AddBunitPersistentComponentState();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    protected Bunit.TestDoubles.BunitPersistentComponentState PersistentState { get; }

    /// <summary>Register fakes here: after SetRendererInfo the service collection is frozen.</summary>
    protected virtual void AddServices() { }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are async-disposable only; xunit 2 must dispose through IAsyncLifetime.
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
