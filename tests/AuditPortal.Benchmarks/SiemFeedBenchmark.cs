namespace AuditPortal.Benchmarks;

/// <summary>
/// The feed for security tools read from the start to the end in pages, as a consumer would, through
/// <see cref="SiemFeed.WriteAsync"/> (the code the endpoint runs: permission check, high-water mark, page query, NDJSON).
/// </summary>
public static class SiemFeedBenchmark
{
    public delegate void RowWriter(string what, string value, string target = "", string verdict = "", string? kind = null, Dictionary<string, double>? values = null);

    public static async Task RunAsync(IDocumentStore store, string postgresDataDirectory, long totalEvents, RowWriter row)
    {
        // No daemon runs in the benchmark: after the import nothing is in flight, so the mark goes where the daemon's
        // high-water detection would put it.
        await store.Advanced.AdvanceHighWaterMarkToLatestAsync(CancellationToken.None);
        var feed = new SiemFeed(store, TimeProvider.System);
        var caller = new SiemFeedCaller.Person(new Actor(BenchUsers.Auditor, "bench-feed"));
        foreach (var limit in new[] { SiemFeed.MaxLimit, SiemFeed.DefaultLimit })
        {
            var body = new CountingStream();
            var cpu = CpuClock.Start(postgresDataDirectory);
            var clock = Stopwatch.StartNew();
            long cursor = 0, events = 0;
            var pages = 0;
            SiemFeedPage page;
            do
            {
                page = await feed.WriteAsync(caller, cursor, limit, body);
                events += page.Events;
                cursor = page.Next;
                pages++;
            } while (page.More);
            var elapsed = clock.Elapsed;
            var profile = cpu.Stop();
            if (events != totalEvents) throw new InvalidOperationException($"The feed delivered {events:N0} of {totalEvents:N0} events.");
            var rate = events / elapsed.TotalSeconds;
            Console.WriteLine($"  feed, pages of {limit:N0}: {rate:N0} events/s");
            row($"Audit feed for security tools (GET /api/audit/feed), pages of {limit:N0}, start to end",
                $"{rate:N0} events/s, {elapsed.TotalSeconds:F1} s for {events:N0} events in {pages:N0} pages, {body.Length / (double)Math.Max(1, events):F0} bytes/event; {profile.Describe(elapsed)}",
                values: new() { ["eventsPerSecond"] = rate, ["seconds"] = elapsed.TotalSeconds, ["pageSize"] = limit, ["bytesPerEvent"] = body.Length / (double)Math.Max(1, events) });
        }
    }

    /// <summary>Where the NDJSON goes: counted, not kept (the network's cost is not the feed's).</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
