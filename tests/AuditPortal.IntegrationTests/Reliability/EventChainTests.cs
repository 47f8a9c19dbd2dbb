using Microsoft.Extensions.Logging.Abstractions;

namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>
/// A superuser who edits, deletes or reorders events is caught by the seal chain at the first altered sequence number;
/// the runtime role cannot write seals at all; a superuser who rewrites the whole chain is caught by a signed checkpoint.
/// </summary>
public sealed class EventChainTests(ITestOutputHelper output)
{
    private const string Schema = "auditportal";

    /// <summary>A database with 3 wallets × 4 events (12 events), all sealed; no daemon needed.</summary>
    private static async Task<string> SealedDatabaseAsync()
    {
        var connection = await TestCluster.CreateDatabaseAsync(nameof(EventChainTests));
        await SchemaApply.ApplyAsync(connection, connection, new PortalStoreSettings());
        await WriteTwelveEventsAsync(connection);
        await using var conn = await PortalSql.OpenAsync(connection);
        Assert.Equal(12, await EventSeals.SealCommittedAsync(conn, Schema));
        var intact = await EventSeals.VerifyAsync(conn, Schema);
        Assert.True(intact.Intact);
        Assert.Equal((12, 0), (intact.VerifiedEvents, intact.UnsealedEvents));
        return connection;
    }

    /// <summary>A store as the portal configures it, for tests that run no daemon (so without the audit indexes).</summary>
    private static DocumentStore Store(string connection) =>
        DocumentStore.For(o => { PortalStore.Configure(o, connection, new PortalStoreSettings()); PortalSchema.IgnoreAuditIndexes(o); });

    private static WalletService Wallets(IDocumentStore store) =>
        new(new CommandExecutor(store, NullLogger<CommandExecutor>.Instance), WalletLimits.Default, TimeProvider.System);

    /// <summary>3 wallets × 4 events (open, grant 10, spend 4, grant 1), written through the wallet service.</summary>
    private static async Task WriteTwelveEventsAsync(string connection)
    {
        await using var store = Store(connection);
        var wallets = Wallets(store);
        var actor = Actor.System("chain-test");
        for (var i = 0; i < 3; i++)
        {
            var id = Guid.CreateVersion7();
            Assert.True((await wallets.OpenAsync(actor, Guid.CreateVersion7(), id, "owner")).Succeeded);
            Assert.True((await wallets.GrantAsync(actor, Guid.CreateVersion7(), id, 10, "a", null)).Succeeded);
            Assert.True((await wallets.SpendAsync(actor, Guid.CreateVersion7(), id, 4, "b", null)).Succeeded);
            Assert.True((await wallets.GrantAsync(actor, Guid.CreateVersion7(), id, 1, "c", null)).Succeeded);
        }
    }

    private async Task<VerificationResult> TamperAndVerifyAsync(string connection, string tampering)
    {
        await using var conn = await PortalSql.OpenAsync(connection);
        await using (var cmd = new NpgsqlCommand(tampering, conn)) Assert.True(await cmd.ExecuteNonQueryAsync() > 0);
        return await VerifyAfterAsync(conn, tampering);
    }

    private async Task<VerificationResult> VerifyAfterAsync(NpgsqlConnection conn, string tampering)
    {
        var result = await EventSeals.VerifyAsync(conn, Schema);
        output.WriteLine($"{tampering}\n  -> {(result.FirstTampering is { } t ? $"first altered sequence number {t.SequenceNumber}: {t.Problem}" : "intact")}");
        return result;
    }

    /// <summary>
    /// Runs each statement alone on one connection, in a transaction rolled back afterwards (so that each is the first
    /// difference), hands it to <paramref name="check"/>, and finds the chain intact after them all.
    /// </summary>
    private static async Task EachAloneAsync(string connection, IEnumerable<string> statements, Func<NpgsqlCommand, Task> check)
    {
        await using var conn = await PortalSql.OpenAsync(connection);
        foreach (var sql in statements)
        {
            await using var tx = await conn.BeginTransactionAsync();
            await using (var cmd = new NpgsqlCommand(sql, conn, tx)) await check(cmd);
            await tx.RollbackAsync();
        }
        Assert.True((await EventSeals.VerifyAsync(conn, Schema)).Intact);
    }

    [Fact]
    public async Task Given_sealed_events_When_a_superuser_edits_one_Then_verify_names_its_sequence_number()
    {
        var connection = await SealedDatabaseAsync();
        var result = await TamperAndVerifyAsync(connection,
            $"update {Schema}.mt_events set data = jsonb_set(data, '{{amount}}', '1000') where seq_id = 6");
        Assert.Equal(6, result.FirstTampering?.SequenceNumber);
        Assert.Equal((11, 1), (result.VerifiedEvents, result.TamperingCount));
    }

    [Theory]
    // One deleted: its own sequence number.
    [InlineData($"delete from {Schema}.mt_events where seq_id = 9", 9)]
    // Two swapped: the first moved one.
    [InlineData($"update {Schema}.mt_events set seq_id = -3 where seq_id = 3; update {Schema}.mt_events set seq_id = 3 where seq_id = 4; " +
                $"update {Schema}.mt_events set seq_id = 4 where seq_id = -3", 3)]
    public async Task Given_sealed_events_When_a_superuser_deletes_one_or_swaps_two_Then_verify_names_the_first_altered_sequence_number(string tampering, long sequence)
    {
        var connection = await SealedDatabaseAsync();
        var result = await TamperAndVerifyAsync(connection, tampering);
        Assert.Equal(sequence, result.FirstTampering?.SequenceNumber);
    }

    [Fact]
    public async Task Given_a_new_event_after_sealing_When_verifying_Then_it_is_reported_as_the_unsealed_tail_not_as_tampering()
    {
        var connection = await SealedDatabaseAsync();
        var result = await TamperAndVerifyAsync(connection,
            $"insert into {Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived) " +
            $"select seq_id + 100, gen_random_uuid(), stream_id, version + 100, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived from {Schema}.mt_events where seq_id = 12");
        Assert.True(result.Intact);
        Assert.Equal((12, 1), (result.VerifiedEvents, result.UnsealedEvents));
    }

    /// <summary>
    /// A database with the role split (schema owner, runtime role) as the portal runs it: 12 wallet events written and
    /// sealed by the runtime role (through the sealing function). Returns (superuser, runtime) connection strings.
    /// </summary>
    private static async Task<(string Superuser, string Runtime)> SealedByRuntimeRoleAsync()
    {
        var (superuser, migrator, runtime) = await ReliabilityHost.CreateRoleSplitDatabaseAsync(nameof(EventChainTests));
        await SchemaApply.ApplyAsync(migrator, runtime, new PortalStoreSettings());
        await WriteTwelveEventsAsync(runtime);
        await using var conn = await PortalSql.OpenAsync(runtime);
        Assert.Equal(12, await EventSeals.SealCommittedAsync(conn, Schema));
        Assert.True((await EventSeals.VerifyAsync(conn, Schema)).Intact);
        return (superuser, runtime);
    }

    [Fact]
    public async Task Given_the_runtime_role_When_it_inserts_changes_or_deletes_a_seal_Then_each_is_refused()
    {
        var (_, runtime) = await SealedByRuntimeRoleAsync();
        await EachAloneAsync(runtime,
                 [
                     $"insert into {Schema}.{EventSeals.TableName} (seq_id, row_hash, chain_hash, hash_version) values (13, sha256('x'), sha256('y'), 2)",
                     $"update {Schema}.{EventSeals.TableName} set chain_hash = sha256('forged') where seq_id = 12",
                     $"delete from {Schema}.{EventSeals.TableName} where seq_id = 12",
                     $"truncate {Schema}.{EventSeals.TableName}",
                     $"create or replace function {Schema}.{EventSeals.SealFunctionName}(ceiling bigint, batch_size integer) returns bigint language sql as 'select 0::bigint'",
                     // The marks the sealer chooses its ceiling from: no privilege at all.
                     $"select count(*) from {Schema}.{EventSeals.MarksTableName}",
                     $"insert into {Schema}.{EventSeals.MarksTableName} (own_xid, last_value, writers) values ('1', 1000000, '{{}}')",
                     $"update {Schema}.{EventSeals.MarksTableName} set last_value = 1000000",
                 ],
            async cmd =>
            {
                var denied = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
                Assert.True(denied.SqlState is PostgresErrorCodes.InsufficientPrivilege, $"{cmd.CommandText}: {denied.SqlState} {denied.MessageText}");
                output.WriteLine($"as the runtime role: {cmd.CommandText}\n  -> {denied.SqlState} {denied.MessageText}");
            });
    }

    [Fact]
    public async Task Given_sealed_events_When_a_superuser_forges_the_seal_of_an_edited_event_Then_verify_names_its_sequence_number()
    {
        var (superuser, _) = await SealedByRuntimeRoleAsync();
        // The forger edits event 5 and writes the matching row hash into its seal: the chain hash no longer follows.
        var result = await TamperAndVerifyAsync(superuser,
            $"update {Schema}.mt_events set data = jsonb_set(data, '{{amount}}', '1000') where seq_id = 5; " +
            $"update {Schema}.{EventSeals.TableName} s set row_hash = {EventSeals.RowHashSql("e")} from {Schema}.mt_events e where e.seq_id = s.seq_id and s.seq_id = 5");
        Assert.Equal(5, result.FirstTampering?.SequenceNumber);
        Assert.Contains("seal chain is broken", result.FirstTampering!.Problem);
    }

    [Fact]
    public async Task Given_sealed_events_When_the_runtime_role_inserts_a_back_dated_event_under_another_users_name_Then_verify_reports_it()
    {
        var (superuser, runtime) = await SealedByRuntimeRoleAsync();
        // The runtime role may INSERT events: it slips one into the sealed past (below the first sequence number),
        // dated last year and signed by "alice".
        var result = await TamperAndVerifyAsync(runtime,
            $"insert into {Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived, user_name) " +
            $"select 0, gen_random_uuid(), stream_id, 1000, jsonb_build_object('amount', 500, 'reason', 'bonus'), type, now() - interval '1 year', tenant_id, mt_dotnet_type, false, 'alice' " +
            $"from {Schema}.mt_events where seq_id = 2");
        Assert.Equal(0, result.FirstTampering?.SequenceNumber);
        Assert.Contains("without a seal sits among sealed events", result.FirstTampering!.Problem);
        Assert.Equal(1, await ReliabilityHost.ScalarAsync(superuser, $"select count(*) from {Schema}.mt_events where user_name = 'alice'"));
    }

    [Fact]
    public async Task Given_sealed_events_When_a_superuser_changes_headers_archive_flag_type_name_or_tenant_Then_each_is_detected()
    {
        var (superuser, _) = await SealedByRuntimeRoleAsync();
        await EachAloneAsync(superuser,
                 [
                     $"update {Schema}.mt_events set headers = '{{\"source\": \"forged\"}}'::jsonb where seq_id = 7",
                     $"update {Schema}.mt_events set is_archived = true where seq_id = 7",
                     $"update {Schema}.mt_events set mt_dotnet_type = 'AuditPortal.Core.Wallets.CreditsGranted, AuditPortal.Core' where seq_id = 7 and mt_dotnet_type <> 'AuditPortal.Core.Wallets.CreditsGranted, AuditPortal.Core'",
                     $"update {Schema}.mt_events set tenant_id = 'other' where seq_id = 7",
                 ],
            async cmd =>
            {
                Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
                var result = await VerifyAfterAsync(cmd.Connection!, cmd.CommandText);
                Assert.Equal(7, result.FirstTampering?.SequenceNumber);
            });
    }

    [Fact]
    public async Task Given_a_signed_checkpoint_When_a_superuser_rewrites_history_and_reseals_the_whole_chain_Then_only_the_checkpoint_catches_it()
    {
        var (superuser, runtime) = await SealedByRuntimeRoleAsync();
        var (privatePem, publicPem) = CheckpointKeys.Create();
        Checkpoint checkpoint;
        await using (var conn = new NpgsqlConnection(runtime))
        using (var signing = CheckpointKeys.Load(privatePem, "signing", privateKey: true))
        {
            await conn.OpenAsync();
            var head = (await EventSeals.ReadHeadAsync(conn, Schema))!.Value;
            checkpoint = Checkpoint.Create(head.Sequence, head.Head, DateTimeOffset.UtcNow, signing);
        }
        var file = Path.Combine(Path.GetTempPath(), $"checkpoints-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(file, checkpoint.ToLine() + "\n");
        // The verifier holds the public key only.
        using var verifier = CheckpointKeys.Load(publicPem, "public", privateKey: false);

        // A superuser edits event 6 and rebuilds every seal from the edited table: the seals agree with the events again.
        await using (var conn = await PortalSql.OpenAsync(superuser))
        {
            await using (var cmd = new NpgsqlCommand(
                $"update {Schema}.mt_events set data = jsonb_set(data, '{{amount}}', '1000') where seq_id = 6; truncate {Schema}.{EventSeals.TableName}", conn))
                await cmd.ExecuteNonQueryAsync();
            Assert.Equal(12, await EventSeals.SealCommittedAsync(conn, Schema));
            var withoutCheckpoint = await EventSeals.VerifyAsync(conn, Schema);
            Assert.True(withoutCheckpoint.Intact);
            output.WriteLine($"rewritten and resealed: verify without a recorded head says intact, head {withoutCheckpoint.ChainHead}");

            var read = Checkpoint.ReadFile(file, verifier);
            Assert.Empty(read.Problems);
            var expected = read.Valid.Select(c => new ExpectedHead(c.Head, c.Sequence, "the checkpoint")).ToList();
            var withCheckpoint = await EventSeals.VerifyAsync(conn, Schema, expected);
            Assert.False(withCheckpoint.Intact);
            output.WriteLine($"with the signed checkpoint: {Assert.Single(withCheckpoint.HeadProblems!)}");

            // --expect-head without a sequence number: the head is searched along the whole recomputed chain.
            var byHand = await EventSeals.VerifyAsync(conn, Schema, [new ExpectedHead(checkpoint.Head, null, "--expect-head")]);
            Assert.Contains("never reaches", Assert.Single(byHand.HeadProblems!));
        }
        File.Delete(file);
    }

    [Fact]
    public void Given_a_checkpoint_file_When_a_line_is_edited_or_forged_or_of_the_old_format_Then_the_public_key_names_each_and_keeps_only_the_genuine()
    {
        var (privatePem, publicPem) = CheckpointKeys.Create();
        var (otherPrivatePem, _) = CheckpointKeys.Create();
        using var signing = CheckpointKeys.Load(privatePem, "signing", privateKey: true);
        using var stranger = CheckpointKeys.Load(otherPrivatePem, "other", privateKey: true);
        using var verifier = CheckpointKeys.Load(publicPem, "public", privateKey: false);
        var at = DateTimeOffset.UtcNow;
        var genuine = Checkpoint.Create(12, new string('a', 64), at, signing);
        var edited = Checkpoint.Create(20, new string('b', 64), at, signing) with { Head = new string('0', 64) };
        var forged = Checkpoint.Create(30, new string('c', 64), at, stranger);
        // A line as the HMAC checkpoints of earlier versions wrote it: no "alg".
        var oldLine = $$"""{"sequence":5,"head":"{{new string('d', 64)}}","at":"2026-11-01T00:00:00.0000000Z","signature":"{{new string('e', 64)}}"}""";
        var file = Path.Combine(Path.GetTempPath(), $"checkpoints-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(file, [oldLine, genuine.ToLine(), edited.ToLine(), forged.ToLine(), "not json"]);

        var read = Checkpoint.ReadFile(file, verifier);
        File.Delete(file);

        Assert.Equal([12L], read.Valid.Select(c => c.Sequence));
        Assert.Equal(3, read.Problems.Count);
        Assert.Contains(read.Problems, p => p.StartsWith("line 3 ", StringComparison.Ordinal) && p.Contains("sequence 20") && p.Contains("does not confirm"));
        Assert.Contains(read.Problems, p => p.StartsWith("line 4 ", StringComparison.Ordinal) && p.Contains("sequence 30") && p.Contains("does not confirm"));
        Assert.Contains(read.Problems, p => p.StartsWith("line 5 ", StringComparison.Ordinal) && p.Contains("not a checkpoint"));
        Assert.Contains("old format", Assert.Single(read.OldFormat));
        foreach (var line in read.Problems.Concat(read.OldFormat)) output.WriteLine(line);
        // A public key cannot sign: a verifier that holds only it can mint nothing.
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => Checkpoint.Create(1, new string('a', 64), at, verifier));
    }

    [Fact]
    public async Task Given_a_transaction_in_flight_and_a_forged_high_water_mark_When_sealing_Then_nothing_past_the_transaction_is_sealed_and_no_false_alarm_follows()
    {
        var (superuser, runtime) = await SealedByRuntimeRoleAsync();
        await using var store = Store(runtime);
        var wallets = Wallets(store);

        // A wallet opened inside a transaction that stays open (sequence 13, in flight) ...
        await using var inFlight = await PortalSql.OpenAsync(runtime);
        await using var tx = await inFlight.BeginTransactionAsync();
        await using (var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(tx)))
        {
            var walletId = Guid.CreateVersion7();
            session.Events.StartStream<Wallet>(walletId, new WalletOpened(walletId, "in-flight", "chain-test", DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        // ... and one committed after it (sequence 14).
        Assert.True((await wallets.OpenAsync(Actor.System("chain-test"), Guid.CreateVersion7(), Guid.CreateVersion7(), "committed")).Succeeded);
        Assert.Equal(14, await ReliabilityHost.ScalarAsync(superuser, $"select last_value from {Schema}.mt_events_sequence"));

        await using var conn = await PortalSql.OpenAsync(runtime);
        // The runtime role may write Marten's progression: it claims everything up to 1,000,000 is settled.
        await using (var forge = new NpgsqlCommand(
            $"insert into {Schema}.mt_event_progression (name, last_seq_id) values ('HighWaterMark', 1000000) on conflict (name) do update set last_seq_id = 1000000", conn))
            await forge.ExecuteNonQueryAsync();
        // The old function that took the caller's ceiling is gone.
        var gone = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand($"select {Schema}.{EventSeals.SealFunctionName}(1000000, 10000)", conn).ExecuteScalarAsync());
        Assert.Equal(PostgresErrorCodes.UndefinedFunction, gone.SqlState);

        for (var round = 0; round < 3; round++)
        {
            var sealing = await EventSeals.SealAsync(conn, Schema);
            output.WriteLine($"round {round + 1} with sequence 13 in flight: sealed {sealing.Sealed}, ceiling {sealing.Ceiling}, recorded {sealing.Recorded}");
            Assert.Equal(0, sealing.Sealed);
            Assert.True(sealing.Ceiling is null or <= 12);
        }
        Assert.Equal(12, (await EventSeals.ReadHeadAsync(conn, Schema))!.Value.Sequence);

        await tx.CommitAsync();
        Assert.Equal(2, await EventSeals.SealCommittedAsync(conn, Schema));
        var result = await EventSeals.VerifyAsync(conn, Schema);
        Assert.True(result.Intact, string.Join("; ", result.Tamperings));
        Assert.Equal((14, 0), (result.VerifiedEvents, result.UnsealedEvents));
    }

    [Fact]
    public async Task Given_several_altered_events_When_verifying_Then_each_is_listed_up_to_the_bound_and_all_are_counted()
    {
        var connection = await SealedDatabaseAsync();
        await using var conn = await PortalSql.OpenAsync(connection);
        await using (var cmd = new NpgsqlCommand(
            $"update {Schema}.mt_events set data = jsonb_set(data, '{{amount}}', '1000') where seq_id in (3, 7); " +
            $"delete from {Schema}.mt_events where seq_id = 9; " +
            $"update {Schema}.{EventSeals.TableName} set chain_hash = sha256('forged') where seq_id = 11", conn))
            await cmd.ExecuteNonQueryAsync();

        var all = await EventSeals.VerifyAsync(conn, Schema);
        var bounded = await EventSeals.VerifyAsync(conn, Schema, maxListed: 2);

        foreach (var t in all.Tamperings) output.WriteLine($"sequence {t.SequenceNumber}: {t.Problem}");
        Assert.Equal([3L, 7, 9, 11], all.Tamperings.Select(t => t.SequenceNumber));
        Assert.Equal(4, all.TamperingCount);
        Assert.Contains("missing", all.Tamperings[2].Problem);
        Assert.Contains("seal chain is broken", all.Tamperings[3].Problem);
        Assert.Equal((2, 4L), (bounded.Tamperings.Count, bounded.TamperingCount));
        Assert.Equal(8, all.VerifiedEvents);
    }

    /// <summary>
    /// The verb as an auditor runs it outside Development, holding only the public key: every altered event is listed
    /// with the count, the forged checkpoint line is named, the genuine checkpoint's head is checked.
    /// </summary>
    [Fact]
    public async Task Given_production_and_only_the_public_key_When_verify_events_runs_Then_it_lists_every_problem_with_the_count()
    {
        var connection = await SealedDatabaseAsync();
        var (privatePem, publicPem) = CheckpointKeys.Create();
        var (strangerPem, _) = CheckpointKeys.Create();
        var folder = Directory.CreateTempSubdirectory("verify-events-").FullName;
        var publicFile = Path.Combine(folder, "public.pem");
        await File.WriteAllTextAsync(publicFile, publicPem);
        await using (var conn = await PortalSql.OpenAsync(connection))
        {
            var head = (await EventSeals.ReadHeadAsync(conn, Schema))!.Value;
            using var signing = CheckpointKeys.Load(privatePem, "signing", privateKey: true);
            using var stranger = CheckpointKeys.Load(strangerPem, "stranger", privateKey: true);
            await File.WriteAllLinesAsync(Path.Combine(folder, "checkpoints.jsonl"),
                [Checkpoint.Create(head.Sequence, head.Head, DateTimeOffset.UtcNow, signing).ToLine(), Checkpoint.Create(head.Sequence, new string('0', 64), DateTimeOffset.UtcNow, stranger).ToLine()]);
            await using var cmd = new NpgsqlCommand(
                $"update {Schema}.mt_events set data = jsonb_set(data, '{{amount}}', '1000') where seq_id in (3, 7); delete from {Schema}.mt_events where seq_id = 9", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        using var verb = PortalProcess.Start(connection, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Integrity__CheckpointPublicKey"] = publicFile,
            ["Integrity__CheckpointFile"] = Path.Combine(folder, "checkpoints.jsonl"),
        }, "verify-events");
        var log = verb.StandardOutput.ReadToEndAsync();
        var errors = verb.StandardError.ReadToEndAsync();
        Assert.True(verb.WaitForExit(TimeSpan.FromSeconds(120)), "verify-events did not finish in 120 s.");
        output.WriteLine(await log);
        output.WriteLine(await errors);
        Directory.Delete(folder, recursive: true);

        Assert.NotEqual(0, verb.ExitCode);
        Assert.Contains("1 signed checkpoints read", await log);
        foreach (var seq in new[] { 3, 7, 9 }) Assert.Contains($"TAMPERED: sequence number {seq}:", await errors);
        Assert.Contains("line 2 of", await errors);
        Assert.Contains("3 altered sequence numbers", await errors);
    }

    /// <summary>
    /// A sealer that stops shows in the status health and the overview read: a last round long ago, or an event
    /// waiting long for its seal. Time is moved by the superuser (the marks and the event's time), never waited for.
    /// </summary>
    [Fact]
    public async Task Given_a_sealer_that_stopped_When_its_status_is_read_Then_a_silent_sealer_and_an_old_unsealed_event_each_make_it_degraded()
    {
        var (superuser, runtime) = await SealedByRuntimeRoleAsync();
        await using var conn = await PortalSql.OpenAsync(runtime);
        var bounds = SealerBounds.Default;
        var fresh = await EventSeals.ReadStatusAsync(conn, Schema);
        Assert.Null(fresh.Problem(bounds));
        Assert.Equal(12, fresh.LastSealed);
        output.WriteLine($"healthy: {fresh.Description}");

        // The last round ran ten minutes ago, nothing waits: silent.
        await ReliabilityHost.ScalarAsync(superuser, $"update {Schema}.{EventSeals.MarksTableName} set recorded_at = recorded_at - interval '10 minutes'; select 0");
        var silent = await EventSeals.ReadStatusAsync(conn, Schema);
        Assert.Contains("last sealing round ran", silent.Problem(bounds));
        output.WriteLine($"silent: {silent.Problem(bounds)}");

        // Rounds run, but a transaction left open holds the ceiling: an event committed after it waits, and has waited
        // since the first round that saw it (that round's time moved back ten minutes).
        await EventSeals.SealAsync(conn, Schema);
        await using var open = await PortalSql.OpenAsync(runtime);
        await using var tx = await open.BeginTransactionAsync();
        await using (var xid = new NpgsqlCommand("select pg_current_xact_id()", open, tx)) await xid.ExecuteScalarAsync();
        await using (var store = Store(runtime))
            Assert.True((await Wallets(store).OpenAsync(Actor.System("chain-test"), Guid.CreateVersion7(), Guid.CreateVersion7(), "late")).Succeeded);
        Assert.Equal(0, (await EventSeals.SealAsync(conn, Schema)).Sealed);
        await ReliabilityHost.ScalarAsync(superuser, $"update {Schema}.{EventSeals.MarksTableName} set recorded_at = recorded_at - interval '10 minutes' where last_value >= 13; select 0");
        Assert.Equal(0, (await EventSeals.SealAsync(conn, Schema)).Sealed);
        var waiting = await EventSeals.ReadStatusAsync(conn, Schema);
        Assert.Contains("waited", waiting.Problem(bounds));
        output.WriteLine($"waiting: {waiting.Problem(bounds)}");

        await tx.RollbackAsync();
        Assert.Equal(1, await EventSeals.SealCommittedAsync(conn, Schema));
        Assert.Null((await EventSeals.ReadStatusAsync(conn, Schema)).Problem(bounds));
    }

    [Fact]
    public async Task Given_an_untouched_chain_When_verified_against_its_checkpoint_Then_it_is_intact()
    {
        var (_, runtime) = await SealedByRuntimeRoleAsync();
        await using var conn = await PortalSql.OpenAsync(runtime);
        var head = (await EventSeals.ReadHeadAsync(conn, Schema))!.Value;
        var result = await EventSeals.VerifyAsync(conn, Schema, [new ExpectedHead(head.Head, head.Sequence, "checkpoint"), new ExpectedHead(head.Head, null, "--expect-head")]);
        Assert.True(result.Intact, string.Join("; ", result.HeadProblems ?? []));
        Assert.Equal(head.Head, result.ChainHead);
    }

    /// <summary>
    /// The time to verify a large table. AUDITPORTAL_VERIFY_EVENTS sets the count (default 50,000 to keep the suite
    /// short; the README figure was measured once with 1,000,000). Events are inserted with one INSERT … SELECT.
    /// </summary>
    [Fact]
    public async Task Given_a_large_sealed_event_table_When_it_is_verified_Then_the_duration_is_reported()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("AUDITPORTAL_VERIFY_EVENTS"), out var n) ? n : 50_000;
        var connection = await TestCluster.CreateDatabaseAsync(nameof(EventChainTests));
        await SchemaApply.ApplyAsync(connection, connection, new PortalStoreSettings());
        await using var conn = await PortalSql.OpenAsync(connection);
        var clock = Stopwatch.StartNew();
        await using (var cmd = new NpgsqlCommand(
            $"""
            insert into {Schema}.mt_streams (id, type, version, timestamp, created, tenant_id, is_archived)
              select ('00000000-0000-0000-0000-' || lpad(to_hex(w), 12, '0'))::uuid, 'wallet', {count} / 10000 + 1, now(), now(), '*DEFAULT*', false
              from generate_series(1, 10000) w;
            insert into {Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived, user_name)
              select i, gen_random_uuid(), ('00000000-0000-0000-0000-' || lpad(to_hex(i % 10000 + 1), 12, '0'))::uuid, i / 10000 + 1,
                     jsonb_build_object('amount', i % 100 + 1, 'reason', 'bulk'), 'credits_granted', now(), '*DEFAULT*', 'bulk', false, 'bulk'
              from generate_series(1, {count}) i;
            select setval('{Schema}.mt_events_sequence', {count});
            """, conn) { CommandTimeout = 0 })
        {
            await cmd.ExecuteNonQueryAsync();
        }
        var inserted = clock.Elapsed;
        clock.Restart();
        Assert.Equal(count, await EventSeals.SealCommittedAsync(conn, Schema, batchSize: 50_000));
        var sealedIn = clock.Elapsed;

        var result = await EventSeals.VerifyAsync(conn, Schema);
        Assert.True(result.Intact);
        Assert.Equal(count, result.VerifiedEvents);
        output.WriteLine($"{count:N0} events: inserted in {inserted.TotalSeconds:N1} s, sealed in {sealedIn.TotalSeconds:N1} s " +
                         $"({count / sealedIn.TotalSeconds:N0}/s), verified in {result.Elapsed.TotalSeconds:N1} s ({count / result.Elapsed.TotalSeconds:N0}/s)");
    }
}
