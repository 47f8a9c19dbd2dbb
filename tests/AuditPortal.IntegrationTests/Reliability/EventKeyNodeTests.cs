namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>
/// Two nodes on one database must bind events with one Integrity:EventKey. A node configured with another key
/// refuses to start, naming the setting (before, it stopped on "The access-control list for portal already exists").
/// </summary>
public sealed class EventKeyNodeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly byte[] OtherKey = System.Text.Encoding.UTF8.GetBytes("another-node-with-another-event-key-0123456789");
    private ReliabilityHost.RoleSplitDatabase _database = null!;
    private IHost _first = null!;

    public async Task InitializeAsync()
    {
        _database = await ReliabilityHost.CreateRoleSplitDatabaseAsync(nameof(EventKeyNodeTests));
        _first = await ReliabilityHost.StartAsync(_database.Runtime, DaemonMode.HotCold, _database.Migrator);
    }

    public async Task DisposeAsync()
    {
        await _first.StopAsync();
        _first.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Given_a_node_running_When_a_second_node_starts_with_another_event_key_Then_it_refuses_naming_Integrity_EventKey(bool withMigrationRole)
    {
        var refused = await Assert.ThrowsAnyAsync<Exception>(() =>
            ReliabilityHost.StartAsync(_database.Runtime, DaemonMode.HotCold, withMigrationRole ? _database.Migrator : null, eventKey: OtherKey));
        output.WriteLine(refused.Message);
        Assert.Contains(EventBinding.Setting, refused.Message, StringComparison.Ordinal);
        Assert.Contains("not the key this database binds its events with", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_node_running_When_a_second_node_starts_with_the_same_key_Then_it_starts_and_writes()
    {
        var second = await ReliabilityHost.StartAsync(_database.Runtime, DaemonMode.HotCold, _database.Migrator);
        try
        {
            var wallets = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<WalletService>(second.Services);
            await ReliabilityHost.GrantPersonaAsync(second, "alice", Personas.Support);
            Assert.True((await wallets.OpenAsync(ReliabilityHost.Actor("alice"), Guid.CreateVersion7(), Guid.CreateVersion7(), "dana")).Succeeded);
        }
        finally
        {
            await second.StopAsync();
            second.Dispose();
        }
    }
}
