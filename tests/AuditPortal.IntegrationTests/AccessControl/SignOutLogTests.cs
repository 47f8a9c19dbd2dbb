namespace AuditPortal.IntegrationTests.AccessControl;

/// <summary>
/// Sign-outs go through the event store, so every portal node on the database reads them (SignOutSync on each node
/// asks <see cref="SignOutLog.LatestSinceAsync"/>); nothing here is kept in the memory of the node that recorded them.
/// </summary>
public class SignOutLogTests(PortalHostFixture fixture, ITestOutputHelper output) : IClassFixture<PortalHostFixture>
{
    private readonly string _user = $"so{Guid.NewGuid():N}"[..12];

    [Fact]
    public async Task Given_a_user_who_signs_out_twice_When_another_node_reads_the_sign_outs_Then_it_sees_the_later_one_on_the_users_access_log()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var recorder = new SignOutLog(fixture.Store, TimeProvider.System);
        var first = await recorder.RecordAsync(_user, "corr-1");
        var second = await recorder.RecordAsync(_user.ToUpperInvariant(), "corr-2");

        // A separate reader over the same database, as another node's is.
        var latest = (await new SignOutLog(fixture.Store, TimeProvider.System).LatestSinceAsync(before)).Latest;

        Assert.True(second > first);
        await using var query = fixture.Store.QuerySession();
        var events = await query.Events.FetchStreamAsync(AccessLog.StreamIdFor(_user));
        // The database's time of the later event, not the time its body carries.
        Assert.Equal(events[1].Timestamp, latest[_user]);
        Assert.Equal([typeof(UserSignedOut), typeof(UserSignedOut)], events.Select(e => e.EventType));
        Assert.Equal(["corr-1", "corr-2"], events.Select(e => e.CorrelationId));
        var log = await query.Events.AggregateStreamAsync<AccessLog>(AccessLog.StreamIdFor(_user));
        Assert.Equal((0, second), (log!.Denials, log.LastSignedOutAt));
    }

    [Fact]
    public async Task Given_a_sign_out_before_the_window_When_reading_Then_it_is_not_returned()
    {
        await new SignOutLog(fixture.Store, TimeProvider.System).RecordAsync(_user, "corr-old");

        var latest = await new SignOutLog(fixture.Store, TimeProvider.System).LatestSinceAsync(DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.False(latest.Latest.ContainsKey(_user));
    }

    [Fact]
    public async Task Given_a_refused_command_and_a_sign_out_of_one_user_at_once_When_both_are_recorded_Then_both_land_on_the_access_log()
    {
        var walletId = Guid.CreateVersion7();
        var spend = fixture.Get<WalletService>().SpendAsync(PortalHostFixture.Actor(_user), Guid.CreateVersion7(), walletId, 1, "no right", null);
        var signOut = new SignOutLog(fixture.Store, TimeProvider.System).RecordAsync(_user, "corr-race");
        await Task.WhenAll(spend, signOut);

        await using var query = fixture.Store.QuerySession();
        var events = await query.Events.FetchStreamAsync(AccessLog.StreamIdFor(_user));
        Assert.Equal(2, events.Count);
        Assert.Contains(events, e => e.Data is UserSignedOut);
        Assert.Contains(events, e => e.Data is CommandDenied);
    }

    /// <summary>
    /// Rows written past the portal by a superuser (triggers off, so no binding is checked): a body that is not a
    /// sign-out, a body whose time is year 9999, and a row whose database time is year 9999. None stops the reading;
    /// the malformed row and the future row are skipped and reported; the body's time is never believed.
    /// </summary>
    [Fact]
    public async Task Given_forged_and_malformed_sign_out_rows_When_reading_Then_the_genuine_ones_count_the_bad_ones_are_reported_and_no_session_ends_for_good()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var reader = new SignOutLog(fixture.Store, TimeProvider.System);
        var victim = $"v{Guid.NewGuid():N}"[..12];
        await reader.RecordAsync(_user, "corr-genuine");
        await reader.RecordAsync(victim, "corr-victim");
        var stream = AccessLog.StreamIdFor(victim);
        var insert = $$"""
            set session_replication_role = replica;
            insert into auditportal.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived, user_name)
            select nextval('auditportal.mt_events_sequence'), gen_random_uuid(), @stream, v.version, v.data::jsonb, '{{AuditTypeNames.UserSignedOut}}', v.at, '*DEFAULT*',
                   'AuditPortal.Core.AccessControl.UserSignedOut, AuditPortal.Core', false, 'mallory'
            from (values (1001, '["not", "a", "sign-out"]', now()),
                         (1002, '{"userName": {"nested": 1}, "signedOutAt": "soon"}', now()),
                         (1003, '{"userName": "{{victim}}", "signedOutAt": "9999-12-31T23:59:59Z"}', now()),
                         (1004, '{"userName": "{{victim}}\nadmin signed in", "signedOutAt": "2026-01-01T00:00:00Z"}', timestamptz '9999-12-31 23:59:59+00')) v(version, data, at);
            set session_replication_role = origin;
            """;
        await Sql.ExecAsync(fixture.ConnectionString, insert, ("stream", stream));

        var reading = await reader.LatestSinceAsync(before);

        Assert.True(reading.Latest.ContainsKey(_user));
        // The year-9999 body counts only as a sign-out at the time the database wrote it: a session signed in after it lives.
        Assert.True(reading.Latest[victim] < DateTimeOffset.UtcNow.AddMinutes(1), $"{reading.Latest[victim]:O}");
        var seqs = reading.Skipped.Select(s => s.Sequence).ToList();
        Assert.Equal(3, reading.Skipped.Count);
        Assert.Contains(reading.Skipped, s => s.Reason.Contains("no user name") && s.Reason.Contains("not"));
        Assert.Contains(reading.Skipped, s => s.Reason.Contains("9999-12-31") && s.Reason.Contains("future"));
        Assert.Equal(seqs.Order(), seqs);
        foreach (var skipped in reading.Skipped) output.WriteLine($"skipped sequence {skipped.Sequence}: {skipped.Reason}");
    }
}
