using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AuditPortal.Core.Database;

/// <summary>
/// A private PostgreSQL cluster started from the machine's server binaries, so that the portal and the
/// tests need no database set up beforehand. Listens on 127.0.0.1 only, with trust authentication.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable, IDisposable
{
    public const string MissingBinariesMessage =
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them with `apt-get install -y postgresql`, " +
        "set Database:PostgresBinDirectory to their folder, or point the portal at an external database with ConnectionStrings:Marten.";

    private readonly string _binDirectory;
    private readonly bool _ownsServer;
    private readonly bool _deleteDataOnStop;
    private readonly string _extraOptions;
    private bool _stopped;

    private EmbeddedPostgres(string binDirectory, string dataDirectory, int port, bool ownsServer, bool deleteDataOnStop, string extraOptions)
    {
        _binDirectory = binDirectory;
        DataDirectory = dataDirectory;
        Port = port;
        _ownsServer = ownsServer;
        _deleteDataOnStop = deleteDataOnStop;
        _extraOptions = extraOptions;
    }

    public string DataDirectory { get; }
    public int Port { get; }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        Pooling = true,
        MaxPoolSize = 50,
        // Bounded waits: while the server is down a command fails within seconds instead of hanging.
        Timeout = 5,
        CommandTimeout = 30,
    }.ConnectionString;

    /// <summary>Starts (or reuses, when it is already running) the cluster in <paramref name="dataDirectory"/>.</summary>
    public static EmbeddedPostgres Start(string dataDirectory, string? binDirectory = null, bool deleteDataOnStop = false) =>
        Start(dataDirectory, binDirectory, deleteDataOnStop, extraOptions: "");

    private static EmbeddedPostgres Start(string dataDirectory, string? binDirectory, bool deleteDataOnStop, string extraOptions)
    {
        var bin = FindBinDirectory(binDirectory) ?? throw new InvalidOperationException(MissingBinariesMessage);
        dataDirectory = Path.GetFullPath(dataDirectory);
        var runAsPostgres = Environment.UserName == "root" || Environment.IsPrivilegedProcess;

        if (runAsPostgres && !PostgresUserCanReach(dataDirectory))
        {
            // The postgres user cannot traverse the parents of the requested folder (e.g. under /root):
            // keep the cluster in a stable folder of its own instead.
            var stable = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dataDirectory)))[..12];
            dataDirectory = Path.Combine("/var/tmp", $"auditportal-pg-{stable}");
        }

        Directory.CreateDirectory(dataDirectory);
        if (runAsPostgres) Run("chown", ["-R", "postgres:postgres", dataDirectory], runAsPostgres: false);

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            Run(Path.Combine(bin, "initdb"),
                ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
                runAsPostgres);
        }

        var running = ReadRunningPort(bin, dataDirectory, runAsPostgres);
        if (running is { } existingPort)
            return new EmbeddedPostgres(bin, dataDirectory, existingPort, ownsServer: false, deleteDataOnStop: false, extraOptions);

        var port = FreePort();
        Run(Path.Combine(bin, "pg_ctl"),
            ["-D", dataDirectory, "-o", ServerOptions(port) + extraOptions, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "-t", "60", "start"],
            runAsPostgres);
        return new EmbeddedPostgres(bin, dataDirectory, port, ownsServer: true, deleteDataOnStop, extraOptions);
    }

    /// <summary>
    /// A throw-away cluster in a temporary folder: one per test run (or benchmark). It is stopped and its folder
    /// removed on <see cref="Stop"/> and, because a test host may be killed before that runs, also by a watchdog
    /// once this process has ended. <paramref name="maxWalSize"/> bounds the WAL kept on disk (PostgreSQL's
    /// default keeps up to 1 GB); a smaller value means more frequent checkpoints.
    /// </summary>
    public static EmbeddedPostgres StartTemporary(string? binDirectory = null, string maxWalSize = "128MB")
    {
        var folder = Path.Combine(Path.GetTempPath(), $"auditportal-test-pg-{Guid.CreateVersion7():N}");
        var pg = Start(folder, binDirectory, deleteDataOnStop: true, extraOptions: $" -c max_wal_size={maxWalSize} -c min_wal_size=32MB");
        if (pg._ownsServer) pg.RemoveWhenThisProcessEnds();
        return pg;
    }

    /// <summary>
    /// Seen: test hosts ended before their exit handlers had removed the cluster, leaving 1.4 GB behind per run
    /// until the disk was full. A detached shell (its own session, not a child the test runner kills with us)
    /// waits for this process to end, then stops the server and deletes the folder; after a normal
    /// <see cref="Stop"/> it finds nothing left to do.
    /// </summary>
    private void RemoveWhenThisProcessEnds()
    {
        const string script =
            "exec </dev/null >/dev/null 2>&1; " +
            "while kill -0 \"$1\"; do sleep 1; done; " +
            "if [ -f \"$2/postmaster.pid\" ]; then if [ \"$(id -u)\" = 0 ]; then runuser -u postgres -- \"$3\" -D \"$2\" -m immediate -w stop; " +
            "else \"$3\" -D \"$2\" -m immediate -w stop; fi; fi; " +
            "rm -rf \"$2\"";
        var psi = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "-f", "sh", "-c", script, "auditportal-pg-watchdog", Environment.ProcessId.ToString(), DataDirectory, Path.Combine(_binDirectory, "pg_ctl") })
            psi.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(psi);
            process?.WaitForExit(5000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No setsid on this machine: Stop() still removes the folder on a normal exit.
        }
    }

    public async Task EnsureDatabaseAsync(string database, CancellationToken ct = default)
    {
        await using var conn = await PortalSql.OpenAsync(ConnectionString("postgres"), ct);
        if (await conn.ScalarAsync<int?>("select 1 from pg_database where datname = @n", ct, ("n", database)) is not null) return;
        await using var create = new NpgsqlCommand($"create database \"{database.Replace("\"", "\"\"")}\"", conn);
        try
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another process created it at the same moment: fine.
        }
    }

    /// <summary>
    /// Fault injection for tests: stops the server with <c>-m immediate</c> (no shutdown checkpoint, clients cut off,
    /// crash recovery on start), keeps it down for <paramref name="downtime"/>, then starts it again on the same port.
    /// </summary>
    public async Task RestartImmediateAsync(TimeSpan downtime)
    {
        var runAsPostgres = Environment.UserName == "root" || Environment.IsPrivilegedProcess;
        var pgCtl = Path.Combine(_binDirectory, "pg_ctl");
        Run(pgCtl, ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], runAsPostgres);
        await Task.Delay(downtime);
        Run(pgCtl, ["-D", DataDirectory, "-o", ServerOptions(Port) + _extraOptions, "-l", Path.Combine(DataDirectory, "server.log"), "-w", "-t", "60", "start"], runAsPostgres);
    }

    public void Stop()
    {
        if (_stopped) return;
        _stopped = true;
        if (!_ownsServer) return;
        var runAsPostgres = Environment.UserName == "root" || Environment.IsPrivilegedProcess;
        try
        {
            // A cluster about to be deleted needs no shutdown checkpoint: immediate is quicker, so an exit handler finishes.
            Run(Path.Combine(_binDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", _deleteDataOnStop ? "immediate" : "fast", "-w", "stop"], runAsPostgres);
        }
        catch (InvalidOperationException)
        {
            // Already stopped (e.g. killed by a fault test); nothing left to do.
        }
        if (_deleteDataOnStop)
        {
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public void Dispose() => Stop();

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    public static string? FindBinDirectory(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return File.Exists(Path.Combine(configured, "initdb")) ? configured : null;

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var best = Directory.GetDirectories(debianRoot)
                .Select(d => (dir: Path.Combine(d, "bin"), version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(x => File.Exists(Path.Combine(x.dir, "initdb")))
                .OrderByDescending(x => x.version)
                .Select(x => x.dir)
                .FirstOrDefault();
            if (best is not null) return best;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
                return dir;
        }
        return null;
    }

    private static int? ReadRunningPort(string bin, string dataDirectory, bool runAsPostgres)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        var status = RunRaw(Path.Combine(bin, "pg_ctl"), ["-D", dataDirectory, "status"], runAsPostgres);
        if (status.ExitCode != 0) return null;
        // Line 4 of postmaster.pid is the port the running server listens on.
        var lines = File.ReadAllLines(pidFile);
        return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
    }

    private static bool PostgresUserCanReach(string dataDirectory)
    {
        var probe = dataDirectory;
        while (!Directory.Exists(probe)) probe = Path.GetDirectoryName(probe) ?? "/";
        return RunRaw("runuser", ["-u", "postgres", "--", "test", "-x", probe], false).ExitCode == 0;
    }

    private static string ServerOptions(int port) =>
        $"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='' -c max_connections=200 " +
        "-c shared_buffers=256MB -c fsync=on -c synchronous_commit=on";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string file, string[] args, bool runAsPostgres)
    {
        var result = RunRaw(file, args, runAsPostgres);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"`{Path.GetFileName(file)} {string.Join(' ', args)}` failed with exit code {result.ExitCode}: {result.Output}");
    }

    private static (int ExitCode, string Output) RunRaw(string file, string[] args, bool runAsPostgres)
    {
        var psi = new ProcessStartInfo(runAsPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAsPostgres)
        {
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add("postgres");
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(file);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        // pg_ctl start keeps the server attached to inherited pipes; read them asynchronously so the wait cannot block.
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var output = (stdout.Wait(TimeSpan.FromSeconds(2)) ? stdout.Result : "") + (stderr.Wait(TimeSpan.FromSeconds(2)) ? stderr.Result : "");
        return (process.ExitCode, output.Trim());
    }
}
