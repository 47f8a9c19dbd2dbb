using System.Security.Claims;
using AuditPortal.Core.Jobs;
using AuditPortal.Core.Projections;
using AuditPortal.Core.Wallets;
using AuditPortal.Web.Infrastructure;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AuditPortal.Web.Tests.Shared;

/// <summary>bUnit context with in-memory reads, a recording command fake, the real notifier and an anonymous user (acting as admin).</summary>
public abstract class PageTestContext : PortalTestContext
{
    protected FakeWalletReads WalletReads { get; } = new();
    protected FakeWalletCommands WalletCommands { get; } = new();
    protected FakeJobReads JobReads { get; } = new();
    protected FakeReadModelLag Lag { get; } = new();
    protected ReadModelChanges Changes { get; } = new();

    protected override void AddServices()
    {
        Services.AddSingleton<IWalletReads>(WalletReads);
        Services.AddSingleton<IWalletCommands>(WalletCommands);
        Services.AddSingleton<IJobReads>(JobReads);
        Services.AddSingleton<IReadModelLag>(Lag);
        Services.AddSingleton(Changes);
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        Services.AddSingleton<AuthenticationStateProvider, AnonymousAuthentication>();
        Services.AddScoped<CurrentUser>();
    }

    /// <summary>Snackbars and select menus render inside the providers.</summary>
    protected IRenderedComponent<MudSnackbarProvider> RenderProviders()
    {
        Render<MudPopoverProvider>();
        return Render<MudSnackbarProvider>();
    }

    private sealed class AnonymousAuthentication : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() =>
            Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity())));
    }
}
