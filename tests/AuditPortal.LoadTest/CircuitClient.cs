using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace AuditPortal.LoadTest;

/// <summary>
/// One open page without a browser: loads the prerendered page with the signed-in cookie, then speaks the Blazor
/// Server circuit protocol over SignalR as blazor.web.js does (StartCircuit, UpdateRootComponents with the page's
/// server component marker and persisted state, an acknowledgement for every render batch, an empty answer to every
/// JS interop call). It applies no DOM: it reads each render batch's string table to see which values were rendered.
/// Thousands of these fit in the memory and CPU that a few Chromium tabs take, so the portal node is what is measured.
/// </summary>
public sealed partial class CircuitClient : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly Func<IReadOnlyList<string>, IEnumerable<long>> _values;
    private readonly TaskCompletionSource _firstRender = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<long, long> _seen = new();
    private int _renders;
    private int _jsCalls;
    private long _highest = long.MinValue;
    private string? _error;

    private CircuitClient(HubConnection connection, Func<IReadOnlyList<string>, IEnumerable<long>> values)
    {
        _connection = connection;
        _values = values;
        connection.On("JS.RenderBatch", [typeof(long), typeof(byte[])], OnRenderBatchAsync);
        // (asyncHandle, identifier, argsJson, resultType, targetInstanceId, callType), as blazor.web.js 10.0 binds it.
        connection.On("JS.BeginInvokeJS", [typeof(long), typeof(string), typeof(string), typeof(int), typeof(long), typeof(int)], OnBeginInvokeJsAsync);
        connection.On("JS.Error", [typeof(string)], args =>
        {
            _error = (string?)args[0];
            _firstRender.TrySetException(new InvalidOperationException($"The circuit failed: {_error}"));
            return Task.CompletedTask;
        });
        // Messages a page receives but this client has nothing to do with (no DOM to attach, no .NET calls of its own).
        foreach (var (name, types) in new (string, Type[])[]
                 {
                     ("JS.AttachComponent", [typeof(int), typeof(string)]),
                     ("JS.EndUpdateRootComponents", [typeof(long)]),
                     ("JS.EndInvokeDotNet", [typeof(string), typeof(bool), typeof(string)]),
                     ("JS.EndLocationChanging", [typeof(int), typeof(bool)]),
                     ("JS.SavePersistedState", [typeof(string), typeof(string), typeof(string)]),
                 })
        {
            connection.On(name, types, _ => Task.CompletedTask);
        }
    }

    /// <summary>JS interop calls the node made to this page (each answered).</summary>
    public int JsCalls => Volatile.Read(ref _jsCalls);

    /// <summary>Render batches received so far.</summary>
    public int Renders => Volatile.Read(ref _renders);

    /// <summary>The <see cref="Stopwatch"/> timestamp at which each value was first rendered (each value above every earlier one).</summary>
    public IReadOnlyDictionary<long, long> Seen => _seen;

    public string? Error => _error;

    /// <summary>The strings of the last render batch (to say what a page showed instead of what was expected).</summary>
    public IReadOnlyList<string> LastStrings { get; private set; } = [];

    /// <summary>
    /// Opens <paramref name="pageUrl"/> as a browser tab would and waits for the circuit's first render.
    /// <paramref name="values"/> picks the values to record from a batch's strings (e.g. the balance beside its version).
    /// </summary>
    public static async Task<CircuitClient> OpenAsync(HttpClient http, CookieContainer cookies, string pageUrl,
        Func<IReadOnlyList<string>, IEnumerable<long>> values, TimeSpan timeout)
    {
        var html = await http.GetStringAsync(pageUrl);
        var markers = ServerMarkers(html);
        if (markers.Count == 0) throw new InvalidOperationException($"{pageUrl} has no interactive server component marker (signed out?).");
        var state = StateComment().Match(html) is { Success: true } s ? s.Groups[1].Value : "";

        var page = new Uri(pageUrl);
        var baseUri = new Uri(page, "/").ToString();
        var builder = new HubConnectionBuilder().WithUrl(new Uri(page, "/_blazor"), o => o.Cookies = cookies);
        // The connection resolves its one protocol from these services: the last one registered wins over JSON.
        builder.Services.AddSingleton<IHubProtocol>(new BlazorPackProtocol());
        var connection = builder.Build();
        var client = new CircuitClient(connection, values);
        await connection.StartAsync();
        var circuitId = await connection.InvokeAsync<string?>("StartCircuit", baseUri, pageUrl, "[]", state);
        if (string.IsNullOrEmpty(circuitId)) throw new InvalidOperationException($"StartCircuit refused for {pageUrl}: {client._error}");
        // blazor.web.js starts the circuit without components and then adds the page's prerendered ones.
        var operations = new JsonObject
        {
            ["batchId"] = 1,
            ["operations"] = new JsonArray(markers.Select((m, i) =>
            {
                m["uniqueId"] = i;
                return (JsonNode)new JsonObject { ["type"] = "add", ["ssrComponentId"] = i + 1, ["marker"] = m };
            }).ToArray()),
        };
        await connection.SendAsync("UpdateRootComponents", operations.ToJsonString(), state);
        if (await Task.WhenAny(client._firstRender.Task, Task.Delay(timeout)) != client._firstRender.Task)
            throw new TimeoutException($"No render from {pageUrl} within {timeout.TotalSeconds:N0} s.");
        await client._firstRender.Task;
        return client;
    }

    /// <summary>The page's server component markers (<c>&lt;!--Blazor:{"type":"server",...}--&gt;</c>), in document order.</summary>
    private static List<JsonObject> ServerMarkers(string html) =>
        Marker().Matches(html)
            .Select(m => JsonNode.Parse(m.Groups[1].Value) as JsonObject)
            .Where(m => m is not null && (string?)m["type"] == "server")
            .Select(m => m!)
            .ToList();

    private async Task OnRenderBatchAsync(object?[] args)
    {
        var at = Stopwatch.GetTimestamp();
        var batchId = (long)args[0]!;
        var bytes = (byte[])args[1]!;
        Interlocked.Increment(ref _renders);
        var strings = Strings(bytes);
        LastStrings = strings;
        // Values only grow in the load test (grants only): a batch that shows an older value (a chart loading late) is not news.
        foreach (var value in _values(strings))
        {
            if (value <= _highest) continue;
            _highest = value;
            _seen.TryAdd(value, at);
        }
        // The node keeps unacknowledged batches and stops sending after too many: acknowledge as the browser does.
        await _connection.SendAsync("OnRenderCompleted", batchId, null);
        _firstRender.TrySetResult();
    }

    private async Task OnBeginInvokeJsAsync(object?[] args)
    {
        var asyncHandle = (long)args[0]!;
        Interlocked.Increment(ref _jsCalls);
        // No answer is expected for handle 0; every other call gets a successful empty result (no DOM to measure, no storage).
        if (asyncHandle != 0)
            await _connection.SendAsync("EndInvokeJSFromDotNet", asyncHandle, true, $"[{asyncHandle},true,null]");
    }

    /// <summary>
    /// The string table of a render batch: the batch ends with five int32 offsets, the last one the start of the
    /// table of string locations; each string is a 7-bit-length-prefixed UTF-8 string (BinaryWriter's format).
    /// </summary>
    public static IReadOnlyList<string> Strings(byte[] batch)
    {
        using var reader = new BinaryReader(new MemoryStream(batch), Encoding.UTF8);
        var end = batch.Length - 5 * sizeof(int);
        reader.BaseStream.Position = end + 4 * sizeof(int);
        var tableStart = reader.ReadInt32();
        var count = (end - tableStart) / sizeof(int);
        var strings = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            reader.BaseStream.Position = tableStart + i * sizeof(int);
            reader.BaseStream.Position = reader.ReadInt32();
            strings.Add(reader.ReadString());
        }
        return strings;
    }

    /// <summary>Numbers as the page formats them ("N0" and plain), with the culture this process shares with the node.</summary>
    public static bool TryNumber(string text, out long value) =>
        long.TryParse(text, NumberStyles.AllowThousands, CultureInfo.CurrentCulture, out value);

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    [GeneratedRegex(@"<!--Blazor:(\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex Marker();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:([A-Za-z0-9+/=]+)-->")]
    private static partial Regex StateComment();
}

/// <summary>
/// The circuit hub accepts only "blazorpack": SignalR's MessagePack protocol under another name
/// (the browser's client does the same: a MessagePack protocol whose name it sets to "blazorpack").
/// </summary>
public sealed class BlazorPackProtocol : IHubProtocol
{
    private readonly MessagePackHubProtocol _inner = new();

    public string Name => "blazorpack";
    public int Version => _inner.Version;
    public TransferFormat TransferFormat => _inner.TransferFormat;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
        _inner.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);
    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);
    public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);
}
