namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>PostgreSQL killed (pg_ctl stop -m immediate) and started again while commands are issued, on a cluster of its own.</summary>
public sealed class DatabaseRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private EmbeddedPostgres _cluster = null!;
    private IHost _host = null!;
    private string _connection = "";

    public async Task InitializeAsync()
    {
        _cluster = EmbeddedPostgres.StartTemporary();
        await _cluster.EnsureDatabaseAsync("faults");
        _connection = _cluster.ConnectionString("faults");
        _host = await ReliabilityHost.StartAsync(_connection, DaemonMode.Solo);
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _cluster.DisposeAsync();
    }

    private sealed record Sent(Guid CommandId, CommandStatus Status, TimeSpan Took, string Message);

    [Fact]
    public async Task Given_commands_in_flight_When_PostgreSQL_restarts_Then_acknowledged_commands_are_recorded_once_outage_answers_are_quick_and_projections_catch_up()
    {
        var store = _host.Services.GetRequiredService<IDocumentStore>();
        var wallets = _host.Services.GetRequiredService<WalletService>();
        await ReliabilityHost.GrantPersonaAsync(_host, "alice", Personas.Support);
        var alice = ReliabilityHost.Actor("alice");
        var ids = await ReliabilityHost.OpenWalletsAsync(wallets, alice, 20);
        foreach (var id in ids) Assert.True((await wallets.GrantAsync(alice, Guid.CreateVersion7(), id, 1000, "start", null)).Succeeded);

        var sent = new ConcurrentBag<(Sent Result, Guid Wallet, bool Grant)>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                var wallet = ids[random.Next(ids.Count)];
                var grant = random.Next(2) == 0;
                var commandId = Guid.CreateVersion7();
                var clock = Stopwatch.StartNew();
                var result = grant
                    ? await wallets.GrantAsync(alice, commandId, wallet, 3, "during restart", null)
                    : await wallets.SpendAsync(alice, commandId, wallet, 2, "during restart", null);
                sent.Add((new Sent(commandId, result.Status, clock.Elapsed, result.Message), wallet, grant));
                if (result.Status == CommandStatus.Unavailable) await Task.Delay(100);
            }
        })).ToArray();

        await Poll.UntilAsync(() => sent.Count >= 50, TimeSpan.FromSeconds(30));
        var outage = Stopwatch.StartNew();
        await _cluster.RestartImmediateAsync(TimeSpan.FromSeconds(3));
        var down = outage.Elapsed;
        // The test's own pooled connections (not Marten's) died with the server.
        Npgsql.NpgsqlConnection.ClearAllPools();
        var beforeRestart = sent.Count;
        await Poll.UntilAsync(() => sent.Count >= beforeRestart + 50, TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var all = sent.ToList();
        var unavailable = all.Where(s => s.Result.Status == CommandStatus.Unavailable).ToList();
        Assert.NotEmpty(unavailable);
        Assert.All(all, s => Assert.Contains(s.Result.Status, new[] { CommandStatus.Accepted, CommandStatus.Unavailable, CommandStatus.Rejected }));
        Assert.All(unavailable, s => Assert.Contains("not reachable", s.Result.Message));
        var slowest = unavailable.Max(s => s.Result.Took);
        Assert.True(slowest < TimeSpan.FromSeconds(15), $"An Unavailable answer took {slowest}");

        // The client retries what was unavailable with the same command id: recorded at most once either way.
        var retried = 0;
        foreach (var (result, wallet, grant) in unavailable)
        {
            var again = grant
                ? await wallets.GrantAsync(alice, result.CommandId, wallet, 3, "during restart", null)
                : await wallets.SpendAsync(alice, result.CommandId, wallet, 2, "during restart", null);
            Assert.Contains(again.Status, new[] { CommandStatus.Accepted, CommandStatus.Rejected });
            retried++;
        }

        var perCommand = new Dictionary<string, long>();
        await using (var conn = new Npgsql.NpgsqlConnection(_connection))
        {
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("select causation_id, count(*) from auditportal.mt_events where causation_id is not null group by causation_id", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) perCommand[reader.GetString(0)] = reader.GetInt64(1);
        }
        var accepted = all.Where(s => s.Result.Status == CommandStatus.Accepted).ToList();
        Assert.All(accepted, s => Assert.Equal(1, perCommand.GetValueOrDefault(s.Result.CommandId.ToString())));
        Assert.All(perCommand, p => Assert.Equal(1, p.Value));

        var catchUp = Stopwatch.StartNew();
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var caughtUpIn = catchUp.Elapsed;
        var replay = await WalletReplay.CheckAsync(store, _connection);
        var deadLetters = await ReliabilityHost.ScalarAsync(_connection,
            "select case when to_regclass('auditportal.mt_doc_deadletterevent') is null then 0 else (select count(*) from auditportal.mt_doc_deadletterevent) end");

        output.WriteLine($"restart (-m immediate, 3 s down) took {down.TotalSeconds:N1} s; {all.Count} commands: {accepted.Count} Accepted, " +
                         $"{unavailable.Count} Unavailable (slowest answer {slowest.TotalSeconds:N2} s), {all.Count(s => s.Result.Status == CommandStatus.Rejected)} Rejected; " +
                         $"{retried} retried with the same id; projections caught up {caughtUpIn.TotalSeconds:N1} s after the load; " +
                         $"{replay.Events} wallet events replayed, {replay.Mismatches.Count} mismatches; {deadLetters} dead letters");
        replay.AssertConsistent();
        Assert.Equal(0, deadLetters);
    }
}
