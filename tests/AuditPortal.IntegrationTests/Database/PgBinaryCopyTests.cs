using System.Buffers;

namespace AuditPortal.IntegrationTests.Database;

/// <summary>The bulk rebuild's own binary COPY encoding and decoding, checked against what PostgreSQL stores and sends.</summary>
public sealed class PgBinaryCopyTests : IAsyncLifetime
{
    private string _database = "";

    public async Task InitializeAsync()
    {
        _database = await TestCluster.CreateDatabaseAsync(nameof(PgBinaryCopyTests));
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "create table copied (n bigint, i integer, u uuid, t text, at timestamptz, d date, j jsonb)", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => TestCluster.DropDatabaseAsync(_database);

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var conn = new NpgsqlConnection(_database);
        await conn.OpenAsync();
        return conn;
    }

    private static readonly (long N, int I, Guid? U, string T, DateTimeOffset At)[] Rows =
    [
        (long.MinValue, int.MaxValue, Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), "plain", new DateTimeOffset(2026, 11, 30, 12, 34, 56, 789, TimeSpan.Zero).AddTicks(1234)),
        (42, -7, null, "Zoë's «naïve» café 💳", new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.FromHours(-5))),
        (0, 0, Guid.CreateVersion7(), "", new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)),
    ];

    [Fact]
    public async Task Given_rows_encoded_by_the_writer_When_copied_in_raw_Then_PostgreSQL_stores_the_same_values()
    {
        var tuples = new ArrayBufferWriter<byte>();
        PgBinaryCopyWriter.Header(tuples);
        foreach (var r in Rows)
        {
            PgBinaryCopyWriter.Row(tuples, 7);
            PgBinaryCopyWriter.Int64(tuples, r.N);
            PgBinaryCopyWriter.Int32(tuples, r.I);
            if (r.U is { } u) PgBinaryCopyWriter.Uuid(tuples, u); else PgBinaryCopyWriter.Null(tuples);
            PgBinaryCopyWriter.Text(tuples, r.T);
            PgBinaryCopyWriter.TimestampTz(tuples, r.At);
            PgBinaryCopyWriter.Date(tuples, DateOnly.FromDateTime(r.At.UtcDateTime));
            PgBinaryCopyWriter.Jsonb(tuples, System.Text.Encoding.UTF8.GetBytes($$"""{"t": "{{r.T}}", "n": {{r.N}}}"""));
        }
        PgBinaryCopyWriter.Trailer(tuples);

        await using var conn = await OpenAsync();
        await using (var copy = await conn.BeginRawBinaryCopyAsync("copy copied (n, i, u, t, at, d, j) from stdin (format binary)"))
            await copy.WriteAsync(tuples.WrittenMemory);

        await using var cmd = new NpgsqlCommand("select n, i, u, t, at, d, j ->> 't', (j ->> 'n')::bigint from copied order by n", conn);
        await using var rows = await cmd.ExecuteReaderAsync();
        var read = new List<(long, int, Guid?, string, DateTimeOffset, DateOnly, string, long)>();
        while (await rows.ReadAsync())
            read.Add((rows.GetInt64(0), rows.GetInt32(1), rows.IsDBNull(2) ? null : rows.GetGuid(2), rows.GetString(3), rows.GetFieldValue<DateTimeOffset>(4),
                rows.GetFieldValue<DateOnly>(5), rows.GetString(6), rows.GetInt64(7)));
        // PostgreSQL keeps microseconds: the writer drops the rest, as Npgsql does.
        Assert.Equal(Rows.OrderBy(r => r.N).Select(r => (r.N, r.I, r.U, r.T, new DateTimeOffset(r.At.UtcTicks / 10 * 10, TimeSpan.Zero),
            DateOnly.FromDateTime(r.At.UtcDateTime), r.T, r.N)), read);
    }

    [Fact]
    public async Task Given_values_sent_by_PostgreSQL_When_read_by_the_reader_Then_they_are_what_Npgsql_reads_even_past_the_reader_s_buffer()
    {
        await using var conn = await OpenAsync();
        // The third row's JSON is larger than the reader's 1 MiB buffer.
        const string values = """
            select * from (values
              (1::bigint, 5, '00112233-4455-6677-8899-aabbccddeeff'::uuid, 'Zoë 💳', '2026-11-30 12:34:56.789123+00'::timestamptz, '{"a": "Zoë"}'::jsonb),
              (2, -1, null, 'Zoë 💳', '1999-12-31 23:59:59-05', '[]'),
              (3, 0, 'ffeeddcc-bbaa-9988-7766-554433221100', repeat('x', 300), 'epoch', jsonb_build_object('big', repeat('y', 1500000))))
            as v(n, i, u, t, at, j) order by n
            """;
        var expected = new List<string>();
        await using (var cmd = new NpgsqlCommand(values, conn))
        await using (var rows = await cmd.ExecuteReaderAsync())
            while (await rows.ReadAsync())
                expected.Add($"{rows.GetInt64(0)} {(rows.IsDBNull(2) ? "-" : rows.GetGuid(2))} {rows.GetString(3)} {rows.GetFieldValue<DateTimeOffset>(4):O} {rows.GetString(5)}");

        var actual = new List<string>();
        var texts = new List<string>();
        await using (var raw = await conn.BeginRawBinaryCopyAsync($"copy ({values}) to stdout (format binary)"))
        {
            var copy = new PgBinaryCopyReader(raw);
            while (copy.StartRow() != -1)
            {
                var n = copy.Int64();
                copy.SkipField();
                var u = copy.NextIsNull() ? "-" : copy.Uuid().ToString();
                var t = copy.CachedText();
                texts.Add(t);
                var at = copy.TimestampTz();
                var j = System.Text.Encoding.UTF8.GetString(copy.Jsonb());
                actual.Add($"{n} {u} {t} {at:O} {j}");
            }
        }
        Assert.Equal(expected, actual);
        // A repeated value is one string instance.
        Assert.Same(texts[0], texts[1]);
    }
}
