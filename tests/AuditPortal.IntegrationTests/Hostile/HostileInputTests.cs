namespace AuditPortal.IntegrationTests.Hostile;

/// <summary>
/// Every command service fed hostile input: each input is either refused with a clear message and nothing recorded,
/// or stored exactly as typed (trimmed) and later shown as text. No input may end in an exception or Unavailable.
/// </summary>
public class HostileInputTests(PortalHostFixture fixture, ITestOutputHelper output) : IClassFixture<PortalHostFixture>, IAsyncLifetime
{
    private const string AdminName = "h-admin";

    private enum Expect
    {
        Stored,
        Refused,
        /// <summary>Line breaks and tabs: fine in free text, refused in a name.</summary>
        StoredInFreeTextOnly,
        /// <summary>Nothing typed: refused where the field is required, stored as empty where it is optional.</summary>
        StoredWhereOptional,
    }

    private static readonly string Megabyte = new('A', 1024 * 1024);

    private static readonly (string Label, string Value, Expect Expect)[] Texts =
    [
        ("script tag", "<script>alert(1)</script>", Expect.Stored),
        ("img onerror", "<img src=x onerror=alert(1)>", Expect.Stored),
        ("attribute breakout", "\" onmouseover=\"alert(1)", Expect.Stored),
        ("formula =cmd", "=cmd|' /C calc'!A0", Expect.Stored),
        ("formula +1", "+1", Expect.Stored),
        ("formula -1", "-1", Expect.Stored),
        ("formula @SUM", "@SUM(1)", Expect.Stored),
        ("emoji", "ok \U0001F44D done", Expect.Stored),
        ("CR/LF forged log line", "first line\r\n[12:00:00 INF] forged: admin granted everything", Expect.StoredInFreeTextOnly),
        ("tab", "a\tb", Expect.StoredInFreeTextOnly),
        ("empty", "", Expect.StoredWhereOptional),
        ("whitespace", "   \t ", Expect.StoredWhereOptional),
        ("NUL", "nul\0char", Expect.Refused),
        ("bell control char", "bell\u0007", Expect.Refused),
        ("escape sequence", "\u001b[31mred\u001b[0m", Expect.Refused),
        ("RTL override", "invoice\u202Egnp.exe", Expect.Refused),
        ("unpaired surrogate", "broken \uD800 char", Expect.Refused),
        ("1 MB", Megabyte, Expect.Refused),
    ];

    private sealed record Outcome(string Input, CommandResult Result, bool Refused, bool Stored, string? Problem);

    private readonly List<Outcome> _outcomes = [];
    private Guid _walletId;
    private Guid _openJobId;
    private Guid _aclId;
    private int _counter;

    private static Actor Admin => PortalHostFixture.Actor(AdminName);
    private WalletService Wallets => fixture.Get<WalletService>();
    private JobService Jobs => fixture.Get<JobService>();
    private AccessControlService Acl => fixture.Get<AccessControlService>();

    public async Task InitializeAsync()
    {
        await fixture.GrantPersonaAsync(AdminName, Personas.Admin);
        _walletId = Guid.CreateVersion7();
        Assert.True((await Wallets.OpenAsync(Admin, Guid.CreateVersion7(), _walletId, "hostile owner")).Succeeded);
        Assert.True((await Wallets.GrantAsync(Admin, Guid.CreateVersion7(), _walletId, 1_000_000, "spending money", null)).Succeeded);
        _openJobId = await PostJobAsync();
        _aclId = Guid.CreateVersion7();
        Assert.True((await Acl.CreateAsync(Admin, Guid.CreateVersion7(), _aclId, "hostile-resource", "setup")).Succeeded);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Given_hostile_text_amounts_and_ids_When_every_command_service_gets_them_Then_each_is_refused_clearly_or_stored_verbatim()
    {
        await TextFieldsAsync();
        await AmountsAsync();
        await IdsAsync();

        var refused = _outcomes.Count(o => o.Refused);
        var stored = _outcomes.Count(o => o.Stored);
        foreach (var problem in _outcomes.Where(o => o.Problem is not null))
            output.WriteLine($"PROBLEM {problem.Input}: {problem.Problem} ({problem.Result.Status} {problem.Result.ErrorCode}: {Clip(problem.Result.Message)})");
        output.WriteLine($"{_outcomes.Count} inputs tried, {refused} refused with a clear message, {stored} stored and rendered as text");
        Assert.Empty(_outcomes.Where(o => o.Problem is not null).Select(o => $"{o.Input}: {o.Problem}"));
        Assert.Equal(_outcomes.Count, refused + stored);
    }

    [Fact]
    public async Task Given_stored_hostile_text_When_the_audit_feed_is_exported_Then_formulas_are_neutralised_and_markup_stays_literal()
    {
        var walletId = Guid.CreateVersion7();
        Assert.True((await Wallets.OpenAsync(Admin, Guid.CreateVersion7(), walletId, "=HYPERLINK(\"http://evil\",\"x\")")).Succeeded);
        var reasons = Texts.Where(t => t.Expect is Expect.Stored or Expect.StoredInFreeTextOnly).Select(t => t.Value).ToList();
        foreach (var reason in reasons)
            Assert.True((await Wallets.GrantAsync(Admin, Guid.CreateVersion7(), walletId, 1, reason, null)).Succeeded, reason);

        var feed = new AuditFeed(fixture.Store, new FixedActor(Admin));
        var filter = new AuditFilter { StreamId = walletId };
        using var csv = new MemoryStream();
        var rows = await AuditExport.WriteCsvAsync(feed.ReadAllAsync(filter), csv);
        using var json = new MemoryStream();
        await AuditExport.WriteJsonAsync(feed.ReadAllAsync(filter), json);

        Assert.Equal(reasons.Count + 1, rows);
        var cells = Csv.Parse(Encoding.UTF8.GetString(csv.ToArray())).Skip(1).SelectMany(r => r).ToList();
        var formulas = cells.Where(c => c.TrimStart(' ').Length > 0 && c.TrimStart(' ')[0] is '=' or '+' or '-' or '@' or '\t' or '\r').ToList();
        Assert.Empty(formulas);
        var summaries = JsonDocument.Parse(json.ToArray()).RootElement.EnumerateArray().Select(e => e.GetProperty("summary").GetString()!).ToList();
        Assert.Contains(summaries, s => s.Contains("<script>alert(1)</script>", StringComparison.Ordinal));
        Assert.Contains(cells, c => c.Contains("<img src=x onerror=alert(1)>", StringComparison.Ordinal));
        // A summary is one line: a reason's line break cannot start a row of its own in an export.
        Assert.All(summaries, s => Assert.DoesNotContain('\n', s));
        output.WriteLine($"CSV: {rows} hostile rows, {cells.Count} cells, 0 cells a spreadsheet would run as a formula; JSON: markup kept literal");
    }

    private async Task TextFieldsAsync()
    {
        foreach (var (label, value, expect) in Texts)
        {
            // Names: one line, required.
            await TextAsync($"wallet owner / {label}", value, expect, name: true, optional: false,
                () => Wallets.OpenAsync(Admin, Guid.CreateVersion7(), Guid.CreateVersion7(), value),
                e => ((WalletOpened)e).Owner);
            await TextAsync($"job title / {label}", value, expect, name: true, optional: false,
                () => Jobs.PostAsync(Admin, Guid.CreateVersion7(), Guid.CreateVersion7(), "job owner", _walletId, value, "", 10),
                e => ((JobPosted)e).Title);
            await TextAsync($"job owner / {label}", value, expect, name: true, optional: false,
                () => Jobs.PostAsync(Admin, Guid.CreateVersion7(), Guid.CreateVersion7(), value, _walletId, "title", "", 10),
                e => ((JobPosted)e).Owner);
            var participant = $"invitee-{++_counter}";
            await TextAsync($"job participant / {label}", value, expect, name: true, optional: false,
                () => Jobs.InviteAsync(Admin, Guid.CreateVersion7(), _openJobId, value),
                e => ((ParticipantInvited)e).Participant);
            await TextAsync($"ACL resource / {label}", value, expect, name: true, optional: false,
                () => Acl.CreateAsync(Admin, Guid.CreateVersion7(), Guid.CreateVersion7(), value, "why"),
                e => ((AccessControlListCreated)e).Resource);
            await TextAsync($"ACL principal / {label}", value, expect, name: true, optional: false,
                () => Acl.GrantAsync(Admin, Guid.CreateVersion7(), _aclId, value, Permission.ReadWallets, "why", null),
                e => ((PermissionGranted)e).Principal);

            // Free text: line breaks allowed; reasons are required, description and cover note optional.
            await TextAsync($"grant reason / {label}", value, expect, name: false, optional: false,
                () => Wallets.GrantAsync(Admin, Guid.CreateVersion7(), _walletId, 1, value, null),
                e => ((CreditsGranted)e).Reason);
            await TextAsync($"spend reason / {label}", value, expect, name: false, optional: false,
                () => Wallets.SpendAsync(Admin, Guid.CreateVersion7(), _walletId, 1, value, null),
                e => ((CreditsSpent)e).Reason);
            await TextAsync($"job description / {label}", value, expect, name: false, optional: true,
                () => Jobs.PostAsync(Admin, Guid.CreateVersion7(), Guid.CreateVersion7(), "job owner", _walletId, "title", value, 10),
                e => ((JobPosted)e).Description);
            await TextAsync($"cover note / {label}", value, expect, name: false, optional: true,
                () => Jobs.ApplyAsync(Admin, Guid.CreateVersion7(), _openJobId, participant + "-applicant", value),
                e => ((JobApplicationSubmitted)e).CoverNote);
            var jobToCancel = await PostJobAsync();
            await TextAsync($"cancel reason / {label}", value, expect, name: false, optional: false,
                () => Jobs.CancelAsync(Admin, Guid.CreateVersion7(), jobToCancel, value),
                e => ((JobCancelled)e).Reason);
            var grantee = $"grantee-{++_counter}";
            Assert.True((await Acl.GrantAsync(Admin, Guid.CreateVersion7(), _aclId, grantee, Permission.ReadJobs, "setup", null)).Succeeded);
            await TextAsync($"ACL grant reason / {label}", value, expect, name: false, optional: false,
                () => Acl.GrantAsync(Admin, Guid.CreateVersion7(), _aclId, grantee, Permission.ReadWallets, value, null),
                e => ((PermissionGranted)e).Reason);
            await TextAsync($"ACL revoke reason / {label}", value, expect, name: false, optional: false,
                () => Acl.RevokeAsync(Admin, Guid.CreateVersion7(), _aclId, grantee, Permission.ReadJobs, value, null),
                e => ((PermissionRevoked)e).Reason);
        }
    }

    private async Task AmountsAsync()
    {
        foreach (var amount in new[] { 0, -1, int.MinValue, 1_000_001, int.MaxValue })
        {
            await RefusedAsync($"grant amount {amount}", () => Wallets.GrantAsync(Admin, Guid.CreateVersion7(), _walletId, amount, "amount test", null), "amount");
            await RefusedAsync($"spend amount {amount}", () => Wallets.SpendAsync(Admin, Guid.CreateVersion7(), _walletId, amount, "amount test", null), "amount");
            await RefusedAsync($"job budget {amount}", () => Jobs.PostAsync(Admin, Guid.CreateVersion7(), Guid.CreateVersion7(), "o", _walletId, "t", "", amount), "budget");
        }

        // Grants that would overflow a balance, with the per-operation limit lifted so that int.MaxValue is reachable.
        var unlimited = new WalletService(fixture.Get<CommandExecutor>(), new WalletLimits(int.MaxValue), TimeProvider.System);
        var full = Guid.CreateVersion7();
        Assert.True((await unlimited.OpenAsync(Admin, Guid.CreateVersion7(), full, "nearly full")).Succeeded);
        Assert.True((await unlimited.GrantAsync(Admin, Guid.CreateVersion7(), full, int.MaxValue - 10, "nearly full", null)).Succeeded);
        await RefusedAsync("grant 11 onto int.MaxValue - 10", () => unlimited.GrantAsync(Admin, Guid.CreateVersion7(), full, 11, "overflow", null), ErrorCodes.BalanceOverflow);
        await RefusedAsync("grant int.MaxValue onto int.MaxValue - 10", () => unlimited.GrantAsync(Admin, Guid.CreateVersion7(), full, int.MaxValue, "overflow", null), ErrorCodes.BalanceOverflow);
        await RefusedAsync("spend int.MaxValue from int.MaxValue - 10", () => unlimited.SpendAsync(Admin, Guid.CreateVersion7(), full, int.MaxValue, "overdraw", null), ErrorCodes.InsufficientCredits);
        await StoredAsync("grant 10 onto int.MaxValue - 10 (exactly the maximum)",
            () => unlimited.GrantAsync(Admin, Guid.CreateVersion7(), full, 10, "to the brim", null), e => ((CreditsGranted)e).Amount == 10);
    }

    private async Task IdsAsync()
    {
        var unknown = Guid.CreateVersion7();
        foreach (var (label, id) in new[] { ("Guid.Empty", Guid.Empty), ("unknown id", unknown) })
        {
            foreach (var version in new long?[] { null, 3 })
            {
                var at = version is null ? "" : $" at version {version}";
                await RefusedAsync($"grant on {label}{at}", () => Wallets.GrantAsync(Admin, Guid.CreateVersion7(), id, 1, "r", version), ErrorCodes.NotFound);
                await RefusedAsync($"spend on {label}{at}", () => Wallets.SpendAsync(Admin, Guid.CreateVersion7(), id, 1, "r", version), ErrorCodes.NotFound);
                await RefusedAsync($"invite on job {label}{at}", () => Jobs.InviteAsync(Admin, Guid.CreateVersion7(), id, "someone", version), ErrorCodes.NotFound);
                await RefusedAsync($"apply on job {label}{at}", () => Jobs.ApplyAsync(Admin, Guid.CreateVersion7(), id, "someone", "note", version), ErrorCodes.NotFound);
                await RefusedAsync($"accept on job {label}{at}", () => Jobs.AcceptAsync(Admin, Guid.CreateVersion7(), id, "someone", version), ErrorCodes.NotFound);
                await RefusedAsync($"launch job {label}{at}", () => Jobs.LaunchAsync(Admin, Guid.CreateVersion7(), id, version), ErrorCodes.NotFound);
                await RefusedAsync($"complete job {label}{at}", () => Jobs.CompleteAsync(Admin, Guid.CreateVersion7(), id, version), ErrorCodes.NotFound);
                await RefusedAsync($"cancel job {label}{at}", () => Jobs.CancelAsync(Admin, Guid.CreateVersion7(), id, "r", version), ErrorCodes.NotFound);
                await RefusedAsync($"ACL grant on {label}{at}", () => Acl.GrantAsync(Admin, Guid.CreateVersion7(), id, "p", Permission.ReadJobs, "r", version), ErrorCodes.NotFound);
                await RefusedAsync($"ACL revoke on {label}{at}", () => Acl.RevokeAsync(Admin, Guid.CreateVersion7(), id, "p", Permission.ReadJobs, "r", version), ErrorCodes.NotFound);
            }
            await RefusedAsync($"job paid from wallet {label}", () => Jobs.PostAsync(Admin, Guid.CreateVersion7(), Guid.CreateVersion7(), "o", id, "t", "", 5), ErrorCodes.NotFound);
        }
        await RefusedAsync("open wallet Guid.Empty", () => Wallets.OpenAsync(Admin, Guid.CreateVersion7(), Guid.Empty, "owner"), ErrorCodes.Validation);
        await RefusedAsync("post job Guid.Empty", () => Jobs.PostAsync(Admin, Guid.CreateVersion7(), Guid.Empty, "o", _walletId, "t", "", 5), ErrorCodes.Validation);
        await RefusedAsync("create ACL Guid.Empty", () => Acl.CreateAsync(Admin, Guid.CreateVersion7(), Guid.Empty, "r", "why"), ErrorCodes.Validation);
        await RefusedAsync("command id Guid.Empty", () => Wallets.GrantAsync(Admin, Guid.Empty, _walletId, 1, "r", null), ErrorCodes.Validation);
        await RefusedAsync("unknown permission 99", () => Acl.GrantAsync(Admin, Guid.CreateVersion7(), _aclId, "p", (Permission)99, "r", null), ErrorCodes.Validation);
        await RefusedAsync("revoke unknown permission -1", () => Acl.RevokeAsync(Admin, Guid.CreateVersion7(), _aclId, "p", (Permission)(-1), "r", null), ErrorCodes.NotGranted);
        await RefusedAsync("accept a 1 MB participant", () => Jobs.AcceptAsync(Admin, Guid.CreateVersion7(), _openJobId, Megabyte), ErrorCodes.Validation);
        await RefusedAsync("a wallet id given as a job id", () => Jobs.InviteAsync(Admin, Guid.CreateVersion7(), _walletId, "someone"), ErrorCodes.NotFound);
    }

    private async Task TextAsync(string input, string value, Expect expect, bool name, bool optional,
        Func<Task<CommandResult>> command, Func<object, string> stored)
    {
        var shouldStore = expect switch
        {
            Expect.Stored => true,
            Expect.StoredInFreeTextOnly => !name,
            Expect.StoredWhereOptional => optional,
            _ => false,
        };
        if (shouldStore)
            await StoredAsync(input, command, e => stored(e) == value.Trim());
        else
            await RefusedAsync(input, command, ErrorCodes.Validation);
    }

    /// <summary>Runs the command; an exception is an outcome of its own (a failed one), answered with null.</summary>
    private async Task<CommandResult?> RunAsync(string input, Func<Task<CommandResult>> command)
    {
        try
        {
            return await command();
        }
        catch (Exception e)
        {
            _outcomes.Add(new Outcome(input, CommandResult.Unavailable(e.Message), false, false, $"threw {e.GetType().Name}: {Clip(e.Message)}"));
            return null;
        }
    }

    private async Task RefusedAsync(string input, Func<Task<CommandResult>> command, string expectedCode)
    {
        var before = await EventCountAsync();
        if (await RunAsync(input, command) is not { } result) return;
        var recorded = await EventCountAsync() - before;
        string? problem = null;
        if (result.Status != CommandStatus.Rejected) problem = $"expected Rejected, got {result.Status}";
        else if (result.ErrorCode != expectedCode && result.Field != expectedCode) problem = $"expected error {expectedCode}, got {result.ErrorCode}";
        else if (!IsClear(result.Message)) problem = "the message is not clear";
        else if (recorded != 0) problem = $"{recorded} events recorded for a refused command";
        _outcomes.Add(new Outcome(input, result, problem is null, false, problem));
    }

    private async Task StoredAsync(string input, Func<Task<CommandResult>> command, Func<object, bool> verbatim)
    {
        if (await RunAsync(input, command) is not { } result) return;
        string? problem = null;
        if (result.Status != CommandStatus.Accepted)
        {
            problem = $"expected Accepted, got {result.Status}";
        }
        else
        {
            var events = await fixture.EventsAsync(result.StreamId!.Value);
            var last = events.Single(e => e.Version == result.Version);
            if (!verbatim(last.Data)) problem = $"stored differently: {Clip(JsonSerializer.Serialize(last.Data))}";
        }
        _outcomes.Add(new Outcome(input, result, false, problem is null, problem));
    }

    /// <summary>Clear: says what is wrong in a sentence, never echoes a megabyte, never a stack trace or SQL state.</summary>
    private static bool IsClear(string message) =>
        message.Length is > 10 and < 400 && !message.Contains("Exception", StringComparison.Ordinal) && !message.Contains("SQLSTATE", StringComparison.OrdinalIgnoreCase)
        && !message.Contains('\0') && !message.Contains('\n');

    private async Task<Guid> PostJobAsync()
    {
        var jobId = Guid.CreateVersion7();
        var posted = await Jobs.PostAsync(Admin, Guid.CreateVersion7(), jobId, "job owner", _walletId, $"job {++_counter}", "", 10);
        Assert.True(posted.Succeeded, posted.Message);
        return jobId;
    }

    private async Task<long> EventCountAsync()
    {
        await using var query = fixture.Store.QuerySession();
        return await query.Events.QueryAllRawEvents().LongCountAsync();
    }

    private static string Clip(string text) => text.Length <= 160 ? text : text[..160] + "…";
}
