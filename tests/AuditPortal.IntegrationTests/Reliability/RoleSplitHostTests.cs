namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>
/// Base of the test classes that run the portal as it runs in production: as the runtime role of a database whose
/// schema belongs to a migration role (<see cref="ReliabilityHost.CreateRoleSplitDatabaseAsync"/>), one host per class.
/// </summary>
public abstract class RoleSplitHostTests : IAsyncLifetime
{
    protected IHost Host { get; private set; } = null!;
    protected ReliabilityHost.RoleSplitDatabase Database { get; private set; } = null!;

    /// <summary>On the superuser's connection, before the roles exist.</summary>
    protected virtual Task BeforeRolesAsync(string superuser) => Task.CompletedTask;

    /// <summary>After the roles exist, before the portal starts.</summary>
    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    /// <summary>A test class's own services (e.g. the overview, whose daily read model then joins the composite).</summary>
    protected virtual void Configure(Microsoft.Extensions.DependencyInjection.IServiceCollection services) { }

    public async Task InitializeAsync()
    {
        Database = await ReliabilityHost.CreateRoleSplitDatabaseAsync(GetType().Name, BeforeRolesAsync);
        await BeforeStartAsync();
        Host = await ReliabilityHost.StartAsync(Database.Runtime, DaemonMode.Solo, Database.Migrator, configure: Configure);
    }

    public async Task DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}
