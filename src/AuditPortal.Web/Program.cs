using AuditPortal.Core.Common;
using AuditPortal.Core.Wallets;
using AuditPortal.Web.Components;
using JasperFx;
using JasperFx.Events.Daemon;
using MudBlazor.Services;
using Serilog;

// verify-export needs only a file and a public key: it runs before any setting, database or host is looked at.
if (args.Length > 0 && args[0] == AuditPortal.Web.Cli.VerifyExportCommand.Verb)
    return await AuditPortal.Web.Cli.VerifyExportCommand.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddJsonFile("appsettings.Local.json", optional: true, reloadOnChange: true);

// Without a connection string the portal starts its own PostgreSQL: say at once, in one line, what is missing.
if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Marten"))
    && EmbeddedPostgres.FindBinDirectory(builder.Configuration["Database:PostgresBinDirectory"]) is null)
{
    Console.Error.WriteLine(EmbeddedPostgres.MissingBinariesMessage);
    return 1;
}

// Outside Development, settings meant for a developer's machine stop the portal before it serves anything; so do the
// schema owner's credential on a web node and a runtime role that could rewrite events (the verbs, apply-schema among
// them, are the separate steps that may hold it).
if (!(args.Length > 0 && !args[0].StartsWith('-')))
{
    var unsafeSettings = StartupSafety.Problems(builder.Configuration, builder.Environment).Concat(SeparationOfDuties.Problems(builder.Configuration, builder.Environment)).ToList();
    if (unsafeSettings.Count == 0) unsafeSettings.AddRange(await SeparationOfDuties.RuntimeRoleProblemsAsync(builder.Configuration, builder.Environment));
    if (unsafeSettings.Count > 0)
    {
        foreach (var problem in unsafeSettings) Console.Error.WriteLine($"Refusing to start outside Development: {problem}");
        return 1;
    }
}

builder.Host.UseSerilog((context, services, logger) =>
{
    if (context.Configuration.GetSection("Serilog").Exists())
        logger.ReadFrom.Configuration(context.Configuration);
    else
        logger.MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
            .WriteTo.Console();
    logger.ReadFrom.Services(services).Enrich.FromLogContext().Enrich.With<AuditPortal.Web.Infrastructure.Logging.SafeLogValues>();
});

builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();

builder.Services.AddSingleton<PortalDatabase>();
var storeSettings = new PortalStoreSettings
{
    SchemaName = PortalDatabase.SchemaOf(builder.Configuration),
    AutoCreate = builder.Configuration.GetValue("Database:AutoCreate", AutoCreate.CreateOrUpdate),
    // Every event is bound with this key, and the database refuses an unbound one (Core/Integrity/EventBinding.cs).
    EventKey = EventKeySettings.Resolve(builder.Configuration, builder.Environment),
};
// Without the key the node could append nothing: refuse to start (verbs that only read may run without it).
if (storeSettings.EventKey is null && !(args.Length > 0 && !args[0].StartsWith('-')))
{
    Console.Error.WriteLine($"Refusing to start outside Development: {AuditPortal.Core.Integrity.EventBinding.Setting} is not set (base64 or hex, at least 32 bytes, the same on every node; distinct from the checkpoint signing key).");
    return 1;
}
var daemonMode = builder.Configuration.GetValue("Projections:DaemonMode", DaemonMode.Solo);
builder.Services.AddPortalMarten(sp => sp.GetRequiredService<PortalDatabase>().ConnectionString, storeSettings, daemonMode,
    sp => sp.GetRequiredService<PortalDatabase>().MigrationConnectionString, PortalDatabase.AppliesSchemaAtStartup(builder.Configuration, builder.Environment));
builder.Services.AddPortalCommands(new WalletLimits(builder.Configuration.GetValue("Wallets:MaxCreditsPerOperation", 1_000_000)),
    ApprovalsRegistration.PolicyFrom(builder.Configuration));
builder.Services.AddHostedService<PortalStartup>();
builder.Services.AddHostedService<EventSealer>();
builder.Services.AddPortalAuth(builder.Configuration);
builder.Services.AddWalletsPages();
builder.Services.AddJobsPages();
builder.Services.AddAuditPages(builder.Configuration);
builder.Services.AddSiemFeed();
AuditPortal.Core.Overview.OverviewServiceRegistration.AddOverviewQueries(builder.Services);
builder.Services.AddAccessControlPages();
builder.Services.AddProjectionsPages();
builder.Services.AddApprovalsPages();
builder.Services.AddPreferencesPages();
builder.Services.AddCircuitHandoff();

builder.Services.AddSingleton(SealerHealthCheck.BoundsFrom(builder.Configuration));
builder.Services.AddHealthChecks()
    .AddCheck<DatabaseHealthCheck>("database")
    .AddCheck<ProjectionDaemonHealthCheck>("projections")
    .AddCheck<SealerHealthCheck>("event-seals")
    .AddCheck<DrainingHealthCheck>("draining");

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseSerilogRequestLogging();
app.UseCircuitHandoff();
app.UsePortalAuth();
app.UseAntiforgery();
// Deny by default (AddPortalAuth's fallback policy); each anonymous endpoint is declared here or on its page.
// Static files are public (the sign-in page needs its styles) and the only responses that may be cached.
app.MapStaticAssets().AllowAnonymous().WithMetadata(new PublicStaticAsset());
// The bare liveness probe: overall status only, for load balancers; the per-check detail is for admins.
app.MapHealthChecks(HealthResponse.Path, new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { ResponseWriter = HealthResponse.WriteStatusAsync })
    .AllowAnonymous();
app.MapHealthChecks(HealthResponse.DetailPath, new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync })
    .RequireAuthorization(Policies.ManageProjections);
app.MapAuditEndpoints();
app.MapSiemFeed();
app.MapAccessControlEndpoints();
// The security headers already send frame-ancestors 'none'; Blazor's own default ('self') would only duplicate it less strictly.
// Pages declare their own policy (_Imports.razor, [AllowAnonymous] on the account pages); the circuit's hub and
// Blazor's other framework endpoints get SignedIn explicitly, so that every endpoint carries a declared policy.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = "'none'")
    .RequireAuthorization(Policies.SignedIn);

// JasperFx's verbs (db-apply, projections, help...) only when the first argument is a verb:
// test hosts pass --Key=Value settings, which JasperFx would reject.
if (args.Length > 0 && !args[0].StartsWith('-'))
{
    AuditPortal.Web.Cli.CommandLineOutput.Prepare();
    return await app.RunJasperFxCommands(args);
}

await app.RunAsync();
return 0;

public partial class Program;
