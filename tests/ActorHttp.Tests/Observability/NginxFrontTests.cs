using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using ActorHttp.Hosting;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Observability;

/// <summary>
/// Debian's nginx (installed by scripts/install-test-deps) in front of ActorHttp, configured as
/// deploy/nginx/actorhttp.conf but in plain HTTP on an ephemeral port, with its prefix, pid and
/// temporary folders in a folder of the test's own; always stopped at the end.
/// </summary>
public sealed class NginxFrontTests : IAsyncLifetime
{
    public const string NginxPath = "/usr/sbin/nginx";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "actorhttp-nginx-" + Guid.NewGuid().ToString("N"));
    private readonly CollectingSink _log = new();
    private ActorHttpServer? _server;
    private Process? _nginx;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(NginxPath) || OperatingSystem.IsWindows())
        {
            return;
        }

        Directory.CreateDirectory(_folder);
        _server = await ObservedServer.StartAsync(_log, $"""
            actorhttp.server.trusted-proxies = ["127.0.0.1"]
            actorhttp.uploads.folder = "{Path.Combine(_folder, "uploads")}"
            actorhttp.server.idle-timeout = 10s
            """);
        var port = FreePort();
        var closedPort = FreePort();
        foreach (var temp in new[] { "body", "proxy", "fastcgi", "uwsgi", "scgi", "logs" })
        {
            Directory.CreateDirectory(Path.Combine(_folder, temp));
        }

        // As root, nginx's workers run as nobody: they must be able to write their temporary files.
        File.SetUnixFileMode(_folder, (UnixFileMode)0b111_111_111);
        foreach (var directory in Directory.GetDirectories(_folder))
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        }

        var config = Path.Combine(_folder, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            worker_processes 1;
            daemon off;
            pid {{_folder}}/nginx.pid;
            error_log {{_folder}}/logs/error.log warn;
            events { worker_connections 64; }
            http {
                client_body_temp_path {{_folder}}/body;
                proxy_temp_path {{_folder}}/proxy;
                fastcgi_temp_path {{_folder}}/fastcgi;
                uwsgi_temp_path {{_folder}}/uwsgi;
                scgi_temp_path {{_folder}}/scgi;
                access_log {{_folder}}/logs/access.log;
                upstream actorhttp {
                    server 127.0.0.1:{{_server.Endpoint.Port}};
                    keepalive 8;
                    keepalive_timeout 5s;
                }
                upstream nobody_listens {
                    server 127.0.0.1:{{closedPort}};
                }
                server {
                    listen 127.0.0.1:{{port}};
                    client_max_body_size 100m;
                    proxy_request_buffering off;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_set_header X-Request-Id $request_id;
                    location / { proxy_pass http://actorhttp; }
                    location /slow { proxy_pass http://actorhttp; proxy_read_timeout 1s; }
                    location /down/ { proxy_pass http://nobody_listens; }
                }
            }
            """);
        _nginx = Process.Start(new ProcessStartInfo(NginxPath, ["-p", _folder, "-c", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        await WaitUntilListening(port);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        if (_nginx is { HasExited: false })
        {
            _nginx.Kill(entireProcessTree: true);
            await _nginx.WaitForExitAsync();
        }

        _nginx?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [NginxFact]
    public async Task Pages_come_through_with_the_request_id_nginx_made_and_the_forwarded_client_logged()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hello");
        // What a client behind another proxy might send: nginx appends the address it sees (127.0.0.1),
        // which ActorHttp trusts, so the client is the address before it.
        request.Headers.Add("X-Forwarded-For", "203.0.113.50");
        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello, World!", await response.Content.ReadAsStringAsync());
        var requestId = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        Assert.Matches("^[0-9a-f]{32}$", requestId);
        var line = await ObservedServer.WaitForEventAsync(_log, e => ObservedServer.IsAccessLine(e) && ObservedServer.Text(e, "RequestId") == requestId);
        Assert.Equal("203.0.113.50", ObservedServer.Text(line, "ClientAddress"));
    }

    [NginxFact]
    public async Task A_20_MB_upload_streams_through_intact()
    {
        var body = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);

        using var response = await _http.PostAsync("/upload", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(body.Length, result.RootElement.GetProperty("size").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), result.RootElement.GetProperty("sha256").GetString());
    }

    [NginxFact]
    public async Task An_upstream_that_is_down_is_a_502_and_one_too_slow_a_504()
    {
        Assert.Equal(HttpStatusCode.BadGateway, (await _http.GetAsync("/down/anything")).StatusCode);
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await _http.GetAsync("/slow?ms=4000")).StatusCode);
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private async Task WaitUntilListening(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_nginx!.HasExited)
            {
                throw new InvalidOperationException($"nginx exited ({_nginx.ExitCode}): {await _nginx.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException("nginx did not start listening within 20 s");
    }
}

/// <summary>A fact that needs nginx: skipped, saying why, on a machine without it (CI installs it through scripts/install-test-deps).</summary>
public sealed class NginxFactAttribute : FactAttribute
{
    public NginxFactAttribute()
    {
        if (!File.Exists(NginxFrontTests.NginxPath))
        {
            Skip = $"{NginxFrontTests.NginxPath} is absent: run scripts/install-test-deps (as root) to install Debian's nginx";
        }
    }
}
