namespace AuditPortal.IntegrationTests.Infrastructure;

/// <summary>
/// A Marten host with the portal's own configuration and a Solo async daemon on a database of its own:
/// one per test class (xunit class fixture).
/// </summary>
public class PortalHostFixture : IAsyncLifetime
{
    public const string Admin = ReliabilityHost.Admin;

    private IHost? _host;

    public IServiceProvider Services => _host!.Services;
    public IDocumentStore Store => Services.GetRequiredService<IDocumentStore>();
    public string ConnectionString { get; private set; } = "";
    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    protected virtual void Configure(IServiceCollection services) { }

    /// <summary>Solo: the async daemon runs. A fixture that imports a large history without projecting it says Disabled.</summary>
    protected virtual DaemonMode Daemon => DaemonMode.Solo;

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await TestCluster.CreateDatabaseAsync(GetType().Name);
        _host = await ReliabilityHost.StartAsync(ConnectionString, Daemon, quiet: false, configure: Configure);
        await AuditIndexes.EnsureAsync(Store);
    }

    public async Task WaitForProjectionsAsync() => await Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

    /// <summary>The events of one stream as they are stored now.</summary>
    public async Task<IReadOnlyList<JasperFx.Events.IEvent>> EventsAsync(Guid streamId)
    {
        await using var query = Store.QuerySession();
        return await query.Events.FetchStreamAsync(streamId);
    }

    public static Actor Actor(string name) => ReliabilityHost.Actor(name);

    /// <summary>Gives a user a persona on the portal's list, as an admin would.</summary>
    public Task GrantPersonaAsync(string user, Permission[] persona) => ReliabilityHost.GrantPersonaAsync(_host!, user, persona);

    /// <summary>
    /// The callers of the authorization matrices: {prefix}-alice (Support), {prefix}-carol (Auditor), {prefix}-admin
    /// and {prefix}-dave (Admin; <see cref="RevokeAdminAsync"/> takes it back later).
    /// </summary>
    public async Task GrantMatrixPersonasAsync(string prefix)
    {
        await GrantPersonaAsync($"{prefix}-alice", Personas.Support);
        await GrantPersonaAsync($"{prefix}-carol", Personas.Auditor);
        await GrantPersonaAsync($"{prefix}-admin", Personas.Admin);
        await GrantPersonaAsync($"{prefix}-dave", Personas.Admin);
    }

    /// <summary>Revokes every admin permission of <paramref name="user"/>, as another admin would when they leave the team.</summary>
    public async Task RevokeAdminAsync(string user)
    {
        foreach (var permission in Personas.Admin)
        {
            var revoked = await Get<AccessControlService>().RevokeAsync(Actor(Admin), Guid.CreateVersion7(), Resources.PortalAclId, user, permission, "left the team", null);
            Assert.True(revoked.Succeeded, revoked.Message);
        }
    }

    /// <summary>
    /// The set-up most wallet tests start from: <paramref name="support"/> holds the Support persona and a new wallet of
    /// <paramref name="owner"/>'s has <paramref name="credits"/> credits (one grant when above zero).
    /// </summary>
    public async Task<Guid> SupportWalletAsync(int credits, string owner = "dana", string support = "alice")
    {
        await GrantPersonaAsync(support, Personas.Support);
        var wallets = Get<WalletService>();
        var actor = Actor(support);
        var walletId = Guid.CreateVersion7();
        Assert.True((await wallets.OpenAsync(actor, Guid.CreateVersion7(), walletId, owner)).Succeeded);
        if (credits > 0) Assert.True((await wallets.GrantAsync(actor, Guid.CreateVersion7(), walletId, credits, "top-up", null)).Succeeded);
        return walletId;
    }

    /// <summary>
    /// Moves credits on a wallet as <paramref name="support"/>, in order: a positive amount is a grant, a negative one a
    /// spend, each with its reason; each must be accepted.
    /// </summary>
    public async Task MoveCreditsAsync(Guid walletId, IEnumerable<(int Credits, string Reason)> movements, string support = "alice")
    {
        var wallets = Get<WalletService>();
        var actor = Actor(support);
        foreach (var (credits, reason) in movements)
        {
            var moved = credits > 0
                ? await wallets.GrantAsync(actor, Guid.CreateVersion7(), walletId, credits, reason, null)
                : await wallets.SpendAsync(actor, Guid.CreateVersion7(), walletId, -credits, reason, null);
            Assert.True(moved.Succeeded, moved.Message);
        }
    }

    public async Task DisposeAsync()
    {
        if (_host is null) return;
        await _host.StopAsync();
        _host.Dispose();
        await TestCluster.DropDatabaseAsync(ConnectionString);
    }
}
