namespace AuditPortal.IntegrationTests.AccessControl;

/// <summary>
/// Failed sign-ins are counted in the database: two portal nodes (two <see cref="SignInAttempts"/> over one store)
/// share one count per name, so N nodes still allow the same number of guesses, and parallel guesses each take a slot.
/// </summary>
public class SignInAttemptsTests(PortalHostFixture fixture) : IClassFixture<PortalHostFixture>
{
    private static readonly TimeSpan LockFor = TimeSpan.FromMinutes(15);
    private readonly string _user = $"si{Guid.NewGuid():N}"[..12];
    private readonly DateTimeOffset _t0 = DateTimeOffset.UtcNow;

    private SignInAttempts Node(int maxFailed = 3) => new(fixture.Store, maxFailed, LockFor);

    private static async Task<DateTimeOffset?> FailAsync(SignInAttempts node, string user, DateTimeOffset now)
    {
        var slot = await node.ReserveAsync(user, now);
        Assert.True(slot.Granted, "the attempt should have been let through to the password check");
        return await node.FailedAsync(slot, now);
    }

    [Fact]
    public async Task Given_two_nodes_When_a_guesser_spreads_wrong_passwords_over_both_Then_the_name_locks_after_the_limit_on_both()
    {
        var a = Node();
        var b = Node();

        Assert.Null(await FailAsync(a, _user, _t0));
        Assert.Null(await FailAsync(b, _user.ToUpperInvariant(), _t0));
        var lockedUntil = await FailAsync(a, _user, _t0);

        Assert.Equal(_t0 + LockFor, lockedUntil!.Value, TimeSpan.FromMilliseconds(1));
        var onB = await b.ReserveAsync(_user, _t0.AddMinutes(1));
        Assert.False(onB.Granted);
        Assert.Equal(lockedUntil.Value, onB.LockedUntil!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Given_a_name_that_gets_locked_When_auditors_read_its_access_log_Then_the_lock_is_there_once_recorded_by_the_portal()
    {
        var node = Node();
        for (var i = 0; i < 3; i++) await FailAsync(node, _user.ToUpperInvariant(), _t0);
        Assert.False((await node.ReserveAsync(_user, _t0)).Granted);

        await using var session = fixture.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(AccessLog.StreamIdFor(_user));
        var locked = Assert.Single(events);
        Assert.Equal(new SignInLocked(_user, 3, _t0, _t0 + LockFor), locked.Data);
        Assert.Equal("sign_in_locked", locked.EventTypeName);
        Assert.Equal(SignInAttempts.RecordedBy, locked.UserName);
    }

    [Fact]
    public async Task Given_a_locked_name_When_the_lock_has_passed_Then_a_new_series_of_attempts_starts()
    {
        var node = Node();
        for (var i = 0; i < 3; i++) await FailAsync(node, _user, _t0);

        Assert.False((await node.ReserveAsync(_user, _t0.AddMinutes(14))).Granted);
        var after = await node.ReserveAsync(_user, _t0.AddMinutes(16));
        Assert.True(after.Granted);
        Assert.Null(await node.SucceededAsync(after, _t0.AddMinutes(16)));
        // Cleared by the success: three more failures before the next lock.
        Assert.Null(await FailAsync(node, _user, _t0.AddMinutes(17)));
        Assert.Null(await FailAsync(node, _user, _t0.AddMinutes(17)));
        Assert.NotNull(await FailAsync(node, _user, _t0.AddMinutes(17)));
    }

    [Fact]
    public async Task Given_twenty_parallel_guesses_on_two_nodes_When_the_limit_is_five_Then_at_most_five_are_let_through()
    {
        SignInAttempts[] nodes = [Node(5), Node(5)];

        var slots = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => nodes[i % 2].ReserveAsync(_user, _t0))));

        Assert.Equal(5, slots.Count(s => s.Granted));
        foreach (var slot in slots.Where(s => s.Granted)) await nodes[0].FailedAsync(slot, _t0);
        Assert.NotNull((await nodes[1].ReserveAsync(_user, _t0)).LockedUntil);
    }

    [Fact]
    public async Task Given_a_success_while_a_later_guess_is_being_checked_When_both_end_Then_the_later_guess_still_counts()
    {
        var node = Node(2);
        var mine = await node.ReserveAsync(_user, _t0);
        var later = await node.ReserveAsync(_user, _t0);

        Assert.Null(await node.SucceededAsync(mine, _t0));
        Assert.Null(await node.FailedAsync(later, _t0));

        // The later failure was kept (count 1 of 2), so one more locks.
        Assert.NotNull(await FailAsync(node, _user, _t0));
    }

    [Fact]
    public async Task Given_a_name_locked_meanwhile_by_other_guesses_When_a_right_password_ends_its_check_Then_it_does_not_sign_in()
    {
        var node = Node(2);
        var right = await node.ReserveAsync(_user, _t0);
        await FailAsync(node, _user, _t0);

        Assert.NotNull(await node.SucceededAsync(right, _t0));
    }

    [Fact]
    public async Task Given_failures_idle_for_a_whole_lock_period_When_the_next_attempt_comes_Then_they_are_forgotten_and_stale_names_are_deleted()
    {
        var node = Node();
        var other = $"si{Guid.NewGuid():N}"[..12];
        await FailAsync(node, _user, _t0);
        await FailAsync(node, _user, _t0);
        await FailAsync(node, other, _t0);

        // 16 minutes later: the old count restarts at this attempt, and the other name's row is gone.
        Assert.Null(await FailAsync(node, _user, _t0.AddMinutes(16)));
        Assert.Null(await FailAsync(node, _user, _t0.AddMinutes(16)));
        await using var session = fixture.Store.QuerySession();
        var rows = await session.QueryAsync<string>($"select name from {fixture.Store.Options.DatabaseSchemaName}.{SignInAttempts.TableName} where name = ?", other);
        Assert.Empty(rows);
    }
}
