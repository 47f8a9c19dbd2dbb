using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace AuditPortal.EndToEndTests.Infrastructure;

/// <summary>
/// A load balancer in front of portal nodes, as far as a browser can tell: one address, each new TCP connection
/// forwarded to the node currently chosen (<see cref="RouteTo"/>). Taking a node out of rotation closes its idle
/// keep-alive connections (a balancer routes each request; this one routes connections) and leaves its circuits'
/// WebSockets alone; <see cref="CutAll"/> drops every connection, as a node that dies would.
/// </summary>
public sealed class FrontDoor : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<Forwarded, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile string _target;

    public FrontDoor(string target)
    {
        _target = target;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public string Url { get; }

    /// <summary>New connections go to <paramref name="baseUrl"/>; idle HTTP connections to the previous node are closed.</summary>
    public void RouteTo(string baseUrl)
    {
        var previous = _target;
        _target = baseUrl;
        foreach (var connection in _open.Keys.Where(c => c.Target == previous && !c.IsWebSocket)) connection.Close();
    }

    public void CutAll()
    {
        foreach (var connection in _open.Keys) connection.Close();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = ForwardAsync(client, _target);
        }
    }

    private async Task ForwardAsync(TcpClient client, string target)
    {
        var uri = new Uri(target);
        using var upstream = new TcpClient();
        var connection = new Forwarded(target, client, upstream);
        _open[connection] = 0;
        try
        {
            await upstream.ConnectAsync(uri.Host, uri.Port, _stop.Token);
            var fromBrowser = Pump(client.GetStream(), upstream.GetStream(), connection, sniff: true);
            var toBrowser = Pump(upstream.GetStream(), client.GetStream(), connection, sniff: false);
            await Task.WhenAny(fromBrowser, toBrowser);
        }
        catch (Exception)
        {
            // A refused or dropped connection is what the browser sees; nothing to report here.
        }
        finally
        {
            _open.TryRemove(connection, out _);
            connection.Close();
        }
    }

    private static async Task Pump(NetworkStream from, NetworkStream to, Forwarded connection, bool sniff)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer)) > 0)
        {
            if (sniff && !connection.IsWebSocket && Encoding.ASCII.GetString(buffer, 0, read).Contains("Upgrade: websocket", StringComparison.OrdinalIgnoreCase))
                connection.IsWebSocket = true;
            await to.WriteAsync(buffer.AsMemory(0, read));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        await _accepting;
    }

    private sealed class Forwarded(string target, TcpClient browser, TcpClient node)
    {
        public string Target { get; } = target;
        public volatile bool IsWebSocket;

        public void Close()
        {
            browser.Close();
            node.Close();
        }
    }
}
