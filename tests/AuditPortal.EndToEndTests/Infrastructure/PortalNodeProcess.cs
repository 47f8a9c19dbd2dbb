using System.Collections.Concurrent;

namespace AuditPortal.EndToEndTests.Infrastructure;

/// <summary>
/// A portal node in a process of its own (Development, like <see cref="PortalServer"/>'s nodes), so that it can be
/// stopped as a deploy stops it (SIGTERM) or die at once (SIGKILL). Its output is kept for the test to read.
/// </summary>
public sealed class PortalNodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;

    private PortalNodeProcess(Process process)
    {
        _process = process;
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    public string BaseUrl { get; private set; } = "";
    public string Output => string.Join('\n', _lines);
    public bool HasExited => _process.HasExited;
    /// <summary>The node's process id (the load test reads its memory and CPU from /proc).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts a node on <paramref name="connectionString"/> with <paramref name="settings"/> (Section:Key) and waits until it listens.</summary>
    public static async Task<PortalNodeProcess> StartAsync(string connectionString, IDictionary<string, string?> settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__Marten"] = connectionString,
        };
        foreach (var (key, value) in settings) environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? "";
        var start = PortalExecutable.StartInfo(environment, "--urls", "http://127.0.0.1:0");
        // The project folder is the content root, as for WebApplicationFactory's nodes (same .data/ development keys).
        start.WorkingDirectory = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(PortalExecutable.Path)!, "..", "..", ".."));
        var node = new PortalNodeProcess(Process.Start(start)!);
        var exited = node._process.WaitForExitAsync();
        var first = await Task.WhenAny(node._listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != node._listening.Task)
        {
            await node.DisposeAsync();
            throw new InvalidOperationException($"The portal node did not start listening:\n{node.Output}");
        }
        node.BaseUrl = (await node._listening.Task).TrimEnd('/');
        return node;
    }

    /// <summary>SIGTERM, as a deploy or an orchestrator stops a node: the host stops gracefully.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL (kill -9): the node ends at once, without running any of its code.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Waits for the process to end (its output read to the end); false if it still runs after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _reading;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ReadAsync(StreamReader reader)
    {
        const string marker = "Now listening on: ";
        while (await reader.ReadLineAsync() is { } line)
        {
            _lines.Enqueue(line);
            var at = line.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0) _listening.TrySetResult(line[(at + marker.Length)..].Trim());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
