namespace AuditPortal.IntegrationTests.Integrity;

/// <summary>
/// The database signs <c>data::text</c>, jsonb's own rendering of the body: the client's <see cref="JsonbText"/> must
/// produce exactly the same text, for every event the portal writes and for strings and numbers that jsonb rewrites.
/// </summary>
public sealed class JsonbTextTests(ITestOutputHelper output) : IAsyncLifetime
{
    private string _database = "";

    public async Task InitializeAsync() => _database = await TestCluster.CreateDatabaseAsync(nameof(JsonbTextTests));

    public Task DisposeAsync() => TestCluster.DropDatabaseAsync(_database);

    /// <summary>PostgreSQL's <c>::jsonb::text</c> of each text, in one round trip.</summary>
    private async Task<List<string>> JsonbAsync(IReadOnlyList<string> texts)
    {
        return await Sql.QueryAsync(_database, "select t::jsonb::text from unnest(@texts) with ordinality as u(t, n) order by n", r => r.GetString(0),
            ("texts", texts.ToArray()));
    }

    [Fact]
    public async Task Given_every_demo_event_serialized_as_the_portal_does_When_canonicalized_Then_it_is_PostgreSQLs_jsonb_text()
    {
        var options = new StoreOptions();
        PortalStore.Configure(options, _database, new PortalStoreSettings());
        var serializer = options.Serializer();
        var bodies = DemoHistory.Generate(DemoOptions.Small).Select(e => serializer.ToJson(e.Data)).ToList();

        var expected = await JsonbAsync(bodies);
        var actual = bodies.Select(JsonbText.Canonicalize).ToList();
        // The cost once warm (the first pass includes JIT compilation).
        var started = Stopwatch.GetTimestamp();
        foreach (var body in bodies) JsonbText.Canonicalize(body);
        var elapsed = Stopwatch.GetElapsedTime(started);

        for (var i = 0; i < bodies.Count; i++) Assert.Equal(expected[i], actual[i]);
        output.WriteLine($"{bodies.Count} demo event bodies ({bodies.Select(b => b.Length).Average():F0} chars on average) equal to PostgreSQL's jsonb text; " +
                         $"canonicalization {elapsed.TotalMicroseconds / bodies.Count:F2} us per event");
    }

    [Theory]
    [InlineData("""{"b": 1, "a": 2, "aa": 3, "é": 4, "z": 5, "ab": 6, "": 7}""")]
    [InlineData("""{"a": 1, "a": 2}""")]
    [InlineData("""{"q": "say \"hi\"", "b": "back\\slash", "c": "tab\tnew\nline\rret\bbs\fff", "d": "\u0001\u001f\u007f"}""")]
    [InlineData("""{"u": "\u00e9\u4e2d\ud83d\ude00 <script>&'+", "raw": "é中😀"}""")]
    [InlineData("""{"slash": "a\/b", "esc": "\u0041\u005c"}""")]
    [InlineData("""[1.50, 1e2, 1E-2, 1.5e3, 1.50e1, -0, -0.0, 0.000, 12345678901234567890123, -1.25e-5, 3.0E+2, 1e0]""")]
    [InlineData("""{"n": null, "t": true, "f": false, "e": {}, "l": [], "nested": {"z": [ {"b": 1, "a": [ ]} ], "a": 1}}""")]
    [InlineData("""  "top-level string"  """)]
    [InlineData("""-12.3400""")]
    public async Task Given_tricky_JSON_When_canonicalized_Then_it_is_PostgreSQLs_jsonb_text(string json)
    {
        var expected = (await JsonbAsync([json]))[0];
        Assert.Equal(expected, JsonbText.Canonicalize(json));
    }

    [Fact]
    public async Task Given_strings_of_every_hazard_serialized_by_the_portal_When_canonicalized_Then_they_are_PostgreSQLs_jsonb_text()
    {
        var options = new StoreOptions();
        PortalStore.Configure(options, _database, new PortalStoreSettings());
        var serializer = options.Serializer();
        var strings = new[] { "quote \" backslash \\ ", "ctl \u0001\u0007\u001b[31m\u007f", "line\u2028sep\u2029", "é中😀 emoji 👩‍👩‍👧", "<b>&amp;</b> 'x' +1", "\r\n\t" };
        var bodies = strings.Select(s => serializer.ToJson(new AuditPortal.Core.Wallets.CreditsGranted(Guid.CreateVersion7(), 1, s, null, s, DateTimeOffset.UtcNow, s))).ToList();
        var expected = await JsonbAsync(bodies);
        for (var i = 0; i < bodies.Count; i++) Assert.Equal(expected[i], JsonbText.Canonicalize(bodies[i]));
    }
}
