namespace AuditPortal.Web.Tests.Wallets;

public class WalletDetailTests : PageTestContext
{
    private FailingWalletReads FailingReads => (FailingWalletReads)Services.GetRequiredService<IWalletReads>();

    // The page's reads can be made to fail after the first load, as a database outage during a live refresh does.
    protected override void AddServices()
    {
        base.AddServices();
        Services.AddSingleton<IWalletReads>(sp => new FailingWalletReads(WalletReads));
    }

    private sealed class FailingWalletReads(IWalletReads inner) : IWalletReads
    {
        public Exception? Failure { get; set; }

        public Task<WalletListPage> ListAsync(WalletListQuery query, CancellationToken ct = default) => inner.ListAsync(query, ct);

        /// <summary>When set, the next read answers with the state as it is now, but only once this task completes (a slow query).</summary>
        public Task? HoldNext { get; set; }

        public async Task<WalletSummary?> GetAsync(Guid walletId, CancellationToken ct = default)
        {
            if (Failure is { } failure) throw failure;
            if (HoldNext is not { } hold) return await inner.GetAsync(walletId, ct);
            HoldNext = null;
            var now = await inner.GetAsync(walletId, ct);
            var snapshot = now is null ? null : new WalletSummary { Id = now.Id, Owner = now.Owner, Balance = now.Balance, Version = now.Version };
            await hold;
            return snapshot;
        }

        public Task<WalletTransactionPage> GetHistoryAsync(Guid walletId, int take, CancellationToken ct = default) => inner.GetHistoryAsync(walletId, take, ct);
    }

    private WalletTransaction AddTransaction(WalletSummary wallet, TransactionKind kind, int amount, string reason, long version,
        string type = "manual", Guid? jobId = null, string actor = "alice", GrantSource? source = null)
    {
        var t = new WalletTransaction
        {
            Id = Guid.CreateVersion7(), WalletId = wallet.Id, Version = version, Sequence = version * 10, Kind = kind, Amount = amount,
            Type = type, JobId = jobId, Actor = actor, At = new DateTimeOffset(2026, 11, 26, 10, 0, (int)version, TimeSpan.Zero), Reason = reason,
            Source = source,
        };
        WalletReads.Transactions.Add(t);
        return t;
    }

    private IRenderedComponent<WalletDetail> RenderWallet(string id) => Render<WalletDetail>(p => p.Add(x => x.Id, id));

    /// <summary>A wallet's page opened by a user allowed these policies (and no others).</summary>
    private IRenderedComponent<WalletDetail> RenderWalletFor(params string[] policies)
    {
        Auth.SetPolicies(policies);
        return RenderWallet(WalletReads.Add("lea", balance: 10, version: 2).Id.ToString());
    }

    /// <summary>The change feed reporting events up to <paramref name="sequence"/> that touched these wallets.</summary>
    private Task WalletsChangedAsync(long sequence, params Guid[] wallets) =>
        Changes.PublishAsync(new ReadModelChange(sequence, wallets.ToHashSet(), new HashSet<Guid>()));

    /// <summary>Another user's change to the wallet: its read model moves on, the feed reports it, and the page shows the new balance.</summary>
    private void ChangeArrives(IRenderedComponent<WalletDetail> cut, WalletSummary wallet, int balance, long version, long sequence)
    {
        (wallet.Balance, wallet.Version) = (balance, version);
        _ = WalletsChangedAsync(sequence, wallet.Id);
        cut.WaitForAssertion(() => Assert.Equal(balance.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Find("#wallet-balance").TextContent.Trim()));
    }

    [Fact]
    public void Given_a_wallet_When_opened_Then_balance_owner_version_and_the_timeline_newest_first_are_shown()
    {
        var wallet = WalletReads.Add("carol's shop", balance: 2, version: 3);
        var jobId = Guid.CreateVersion7();
        AddTransaction(wallet, TransactionKind.Grant, 5, "Welcome bonus", 2, source: GrantSource.Campaign);
        AddTransaction(wallet, TransactionKind.Spend, 3, "Launch of job \"Logo\"", 3, type: "jobLaunch", jobId: jobId, actor: "sam");

        var cut = RenderWallet(wallet.Id.ToString());

        Assert.Equal("2", cut.Find("#wallet-balance").TextContent.Trim());
        Assert.Equal("carol's shop", cut.Find("#wallet-owner").TextContent.Trim());
        Assert.Equal("3", cut.Find("#wallet-version").TextContent.Trim());
        var rows = cut.FindAll(".wallet-transaction");
        Assert.Equal(["3", "2"], rows.Select(r => r.GetAttribute("data-version")));
        Assert.Contains("Spent 3 credits", rows[0].TextContent);
        Assert.Contains("jobLaunch", rows[0].QuerySelector(".wallet-transaction-type")!.TextContent);
        Assert.Equal("sam", rows[0].QuerySelector(".wallet-transaction-actor")!.TextContent);
        Assert.Contains("2026-11-26 10:00:03 UTC", rows[0].TextContent);
        Assert.Equal($"/jobs/{jobId}", rows[0].QuerySelector(".wallet-transaction-job")!.GetAttribute("href"));
        Assert.Contains("Granted 5 credits", rows[1].TextContent);
        Assert.Contains("Welcome bonus", rows[1].QuerySelector(".wallet-transaction-reason")!.TextContent);
        Assert.Null(rows[1].QuerySelector(".wallet-transaction-job"));
        // A grant shows where its credits came from; a spend has no source.
        Assert.Equal("Campaign", rows[1].QuerySelector(".wallet-transaction-source")!.TextContent.Trim());
        Assert.Null(rows[0].QuerySelector(".wallet-transaction-source"));
    }

    [Fact]
    public void Given_a_hostile_reason_in_the_history_When_shown_Then_it_is_text_not_markup()
    {
        var wallet = WalletReads.Add("mallory", balance: 5);
        AddTransaction(wallet, TransactionKind.Grant, 5, "<script>alert(1)</script>", 2, actor: "<b>mallory</b>");

        var cut = RenderWallet(wallet.Id.ToString());

        Assert.Equal("<script>alert(1)</script>", cut.Find(".wallet-transaction-reason").TextContent.Trim());
        Assert.Equal("<b>mallory</b>", cut.Find(".wallet-transaction-actor").TextContent);
        Assert.Empty(cut.FindAll("#wallet-timeline script"));
        Assert.Empty(cut.FindAll("#wallet-timeline b"));
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("<script>alert(1)</script>")]
    public void Given_a_malformed_id_When_opened_Then_a_not_found_message_is_shown(string id)
    {
        var cut = RenderWallet(id);

        var message = cut.Find("#wallet-not-found");
        Assert.Contains("is not a wallet id", message.TextContent);
        Assert.Empty(cut.FindAll("#wallet-not-found script"));
    }

    [Fact]
    public void Given_an_unknown_id_When_opened_Then_a_not_found_message_is_shown()
    {
        var id = Guid.CreateVersion7();
        var cut = RenderWallet(id.ToString());

        Assert.Contains($"There is no wallet with id {id}", cut.Find("#wallet-not-found").TextContent);
        Assert.Empty(cut.FindAll("#grant-form"));
    }

    [Fact]
    public void Given_a_grant_accepted_before_the_read_model_caught_up_When_spending_next_Then_the_spend_expects_the_new_version()
    {
        RenderProviders();
        var wallet = WalletReads.Add("dora", balance: 0, version: 1);
        var cut = RenderWallet(wallet.Id.ToString());

        cut.Find("#grant-amount").Input("5");
        cut.Find("#grant-reason").Input("Bonus");
        cut.Find("#grant-submit").Click();
        cut.WaitForAssertion(() => Assert.Single(WalletCommands.Issued));
        cut.Find("#spend-amount").Input("3");
        cut.Find("#spend-reason").Input("Fee");
        cut.Find("#spend-submit").Click();

        cut.WaitForAssertion(() => Assert.Equal(2, WalletCommands.Issued.Count));
        Assert.Equal([1L, 2L], WalletCommands.Issued.Select(c => c.ExpectedVersion!.Value));
    }

    [Fact]
    public void Given_an_open_wallet_When_its_read_model_changes_Then_the_page_refreshes_without_reload()
    {
        var wallet = WalletReads.Add("erin", balance: 1, version: 2);
        var other = WalletReads.Add("frank", balance: 9, version: 2);
        var cut = RenderWallet(wallet.Id.ToString());
        Assert.Equal("1", cut.Find("#wallet-balance").TextContent.Trim());

        AddTransaction(wallet, TransactionKind.Grant, 5, "Arrived live", 3);
        ChangeArrives(cut, wallet, balance: 6, version: 3, sequence: 30);

        Assert.Contains("Arrived live", cut.Find(".wallet-transaction-reason").TextContent);

        // A change of another wallet does not reload this one.
        var loads = WalletReads.GetCalls;
        _ = WalletsChangedAsync(31, other.Id);
        _ = Changes.PublishAsync(new ReadModelChange(32, new HashSet<Guid>(), new HashSet<Guid> { wallet.Id }));
        cut.Render();
        Assert.Equal(loads, WalletReads.GetCalls);
    }

    [Fact]
    public void Given_a_grant_whose_reload_reads_the_old_state_slowly_When_the_live_refresh_shows_the_new_one_first_Then_the_old_one_never_replaces_it()
    {
        RenderProviders();
        var wallet = WalletReads.Add("ida", balance: 58, version: 3);
        WalletCommands.Answer = c => CommandResult.Accepted(c.WalletId, 4, "Granted.");
        var cut = RenderWallet(wallet.Id.ToString());
        var slowRead = new TaskCompletionSource();
        FailingReads.HoldNext = slowRead.Task;

        // The form's reload after its command reads the read model before the daemon caught up (58, version 3)...
        cut.Find("#grant-amount").Input("7");
        cut.Find("#grant-reason").Input("Top-up");
        cut.Find("#grant-submit").Click();
        // ...then the daemon catches up and the live refresh shows the new state first.
        ChangeArrives(cut, wallet, balance: 65, version: 4, sequence: 40);

        var renders = cut.RenderCount;
        slowRead.SetResult();

        // The slow reload ends with a render of its own: what that render shows is the point.
        cut.WaitForAssertion(() => Assert.True(cut.RenderCount > renders));
        Assert.Equal("65", cut.Find("#wallet-balance").TextContent.Trim());
    }

    [Fact]
    public void Given_a_wallet_at_a_high_version_When_the_page_moves_to_another_wallet_at_a_lower_version_Then_that_wallet_is_shown()
    {
        var busy = WalletReads.Add("jo", balance: 90, version: 50);
        var quiet = WalletReads.Add("kim", balance: 4, version: 2);
        var cut = RenderWallet(busy.Id.ToString());

        cut.Render(p => p.Add(x => x.Id, quiet.Id.ToString()));

        cut.WaitForAssertion(() => Assert.Equal("kim", cut.Find("#wallet-owner").TextContent.Trim()));
        Assert.Equal("4", cut.Find("#wallet-balance").TextContent.Trim());
    }

    [Fact]
    public async Task Given_an_open_wallet_When_the_page_is_disposed_Then_it_no_longer_listens()
    {
        var wallet = WalletReads.Add("gus", balance: 1);
        RenderWallet(wallet.Id.ToString());
        Assert.Equal(1, Changes.SubscriberCount);

        await DisposeComponentsAsync();

        Assert.Equal(0, Changes.SubscriberCount);
    }

    [Fact]
    public void Given_a_conflict_When_the_user_uses_the_new_version_Then_the_input_is_kept_and_the_next_command_expects_that_version()
    {
        RenderProviders();
        var wallet = WalletReads.Add("hana", balance: 4, version: 2);
        WalletCommands.Answer = c => c.ExpectedVersion == 2
            ? CommandResult.Conflict("This wallet changed since you opened it: the balance is now 12. Nothing was recorded; check and try again.", 5)
            : CommandResult.Accepted(c.WalletId, 6, "Spent.");
        var cut = RenderWallet(wallet.Id.ToString());

        cut.Find("#spend-amount").Input("3");
        cut.Find("#spend-reason").Input("Fee");
        cut.Find("#spend-submit").Click();
        cut.WaitForAssertion(() => Assert.Contains("the balance is now 12", cut.Find("#spend-alert").TextContent));
        Assert.Equal("3", cut.Find("#spend-amount").GetAttribute("value"));
        cut.Find("#spend-adopt").Click();
        Assert.Empty(cut.FindAll("#spend-alert"));
        Assert.Equal("3", cut.Find("#spend-amount").GetAttribute("value"));
        Assert.Equal("Fee", cut.Find("#spend-reason").GetAttribute("value"));
        cut.Find("#spend-submit").Click();

        cut.WaitForAssertion(() => Assert.Equal(2, WalletCommands.Issued.Count));
        Assert.Equal(5L, WalletCommands.Issued[1].ExpectedVersion);
        Assert.Equal((3, "Fee"), (WalletCommands.Issued[1].Amount, WalletCommands.Issued[1].Reason));
    }

    [Fact]
    public void Given_a_refused_spend_When_the_wallet_refreshes_live_Then_the_refusal_and_the_typed_input_stay()
    {
        RenderProviders();
        var wallet = WalletReads.Add("ivy", balance: 22, version: 2);
        WalletCommands.Answer = _ => CommandResult.Rejected(new RuleViolated(ErrorCodes.InsufficientCredits, "Not enough credits in wallet: balance 22, requested 999999"));
        var cut = RenderWallet(wallet.Id.ToString());

        (string, string)[] typed = [("#spend-amount", "999999"), ("#spend-reason", "Big purchase")];
        TypeInto(cut, typed);
        cut.Find("#spend-submit").Click();
        cut.WaitForAssertion(() => Assert.Contains("Not enough credits", cut.Find("#spend-form .mud-input-helper-text.mud-input-error").TextContent));

        ChangeArrives(cut, wallet, balance: 23, version: 3, sequence: 40);

        Assert.Contains("Not enough credits", cut.Find("#spend-form .mud-input-helper-text.mud-input-error").TextContent);
        AssertStillTyped(cut, typed);
    }

    [Fact]
    public void Given_input_typed_in_both_forms_When_another_users_change_arrives_Then_nothing_typed_is_lost()
    {
        var wallet = WalletReads.Add("jack", balance: 10, version: 2);
        var cut = RenderWallet(wallet.Id.ToString());
        (string, string)[] typed = [("#grant-amount", "7"), ("#spend-amount", "4"), ("#spend-reason", "Typed before the change")];
        TypeInto(cut, typed);

        ChangeArrives(cut, wallet, balance: 11, version: 3, sequence: 41);

        AssertStillTyped(cut, typed);
    }

    [Fact]
    public void Given_a_refresh_that_fails_When_the_wallet_is_on_screen_Then_a_warning_shows_and_the_forms_keep_their_input()
    {
        var wallet = WalletReads.Add("kim", balance: 10, version: 2);
        var cut = RenderWallet(wallet.Id.ToString());
        cut.Find("#spend-amount").Input("4");

        FailingReads.Failure = new InvalidOperationException("database down");
        _ = WalletsChangedAsync(42, wallet.Id);

        cut.WaitForAssertion(() => Assert.Contains("could not be refreshed", cut.Find("#wallet-refresh-error").TextContent));
        Assert.Equal("4", cut.Find("#spend-amount").GetAttribute("value"));
        Assert.Empty(cut.FindAll("#wallet-load-error"));
    }

    [Fact]
    public void Given_a_user_who_may_grant_but_not_spend_When_the_wallet_opens_Then_only_the_grant_form_is_shown()
    {
        var cut = RenderWalletFor(Policies.GrantCredits);

        Assert.Single(cut.FindAll("#grant-form"));
        Assert.Empty(cut.FindAll("#spend-form"));
    }

    [Fact]
    public void Given_a_user_granted_spend_while_the_wallet_is_open_When_the_acl_change_arrives_Then_the_spend_form_appears_and_the_grant_form_keeps_its_input()
    {
        var cut = RenderWalletFor(Policies.GrantCredits);
        cut.Find("#grant-amount").Input("6");
        Assert.Empty(cut.FindAll("#spend-form"));

        Auth.SetPolicies(Policies.GrantCredits, Policies.SpendCredits);
        _ = Changes.PublishAsync(new ReadModelChange(50, new HashSet<Guid>(), new HashSet<Guid>(), AccessControl: true));

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#spend-form")));
        Assert.Equal("6", cut.Find("#grant-amount").GetAttribute("value"));
    }

    [Fact]
    public void Given_a_user_whose_spend_permission_is_revoked_while_the_wallet_is_open_When_the_acl_change_arrives_Then_the_spend_form_goes()
    {
        var cut = RenderWalletFor(Policies.GrantCredits, Policies.SpendCredits);
        Assert.Single(cut.FindAll("#spend-form"));

        Auth.SetPolicies(Policies.GrantCredits);
        _ = Changes.PublishAsync(new ReadModelChange(51, new HashSet<Guid>(), new HashSet<Guid>(), AccessControl: true));

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#spend-form")));
        Assert.Single(cut.FindAll("#grant-form"));
    }
}
