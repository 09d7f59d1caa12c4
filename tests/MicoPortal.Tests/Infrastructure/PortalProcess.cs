using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>
/// The built portal in its own OS process, as users run it: crash tests kill it like a crash would
/// (SIGKILL), benchmarks measure it from outside. (Shared by the test and benchmark projects.)
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private readonly Process _process;

    private PortalProcess(Process process, Uri root)
    {
        _process = process;
        Root = root;
    }

    public Uri Root { get; }

    /// <summary>An HTTP client signed in as the development admin.</summary>
    public async Task<HttpClient> AdminClientAsync()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = Root };
        client.DefaultRequestHeaders.Add("Origin", Root.GetLeftPart(UriPartial.Authority)); // cookie-authenticated writes need the portal's own Origin
        var login = await client.PostAsJsonAsync("api/v1/auth/login", new { email = "admin@micoportal.local", password = "Dev-Passw0rd!" });
        login.EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>CPU time the server process has used so far (all cores).</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public long PeakWorkingSetBytes()
    {
        _process.Refresh();
        return _process.PeakWorkingSet64;
    }

    /// <summary>Current working set and private bytes (soak sampling).</summary>
    public (long WorkingSet, long Private) MemoryBytes()
    {
        _process.Refresh();
        return (_process.WorkingSet64, _process.PrivateMemorySize64);
    }

    public static async Task<PortalProcess> StartAsync(string dataDirectory, IDictionary<string, string?> settings)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MicoPortal.Server.dll"));
        info.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        info.ArgumentList.Add($"--DataDirectory={dataDirectory}");
        info.ArgumentList.Add("--Demo:OrdersPerSecond=0");
        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        // As the launch profile and the Docker image start it: two glibc malloc arenas instead of eight per core
        // (native memory freed by one thread's arena is not reused by the others; see BENCHMARKS.md, recon).
        info.Environment["MALLOC_ARENA_MAX"] = "2";
        var process = Process.Start(info)!;
        // MICOPORTAL_PROCESS_LOG=/tmp/portal keeps each server process's console log in /tmp/portal-<port>.log
        // (for diagnosing a failed crash, scale-out or benchmark run; set log levels the usual way, e.g.
        // "Logging__LogLevel__MicoPortal.Server.Verification=Debug" in the environment).
        var logPath = Environment.GetEnvironmentVariable("MICOPORTAL_PROCESS_LOG");
        var log = logPath is null ? null : TextWriter.Synchronized(new StreamWriter(logPath + "-" + port + ".log") { AutoFlush = true });
        process.OutputDataReceived += (_, e) => log?.WriteLine(e.Data);
        process.ErrorDataReceived += (_, e) => log?.WriteLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var root = new Uri($"http://127.0.0.1:{port}/");
        using var probe = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                if ((await probe.GetAsync("health/ready")).IsSuccessStatusCode)
                {
                    return new PortalProcess(process, root);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("The portal process did not become ready.");
    }

    public HttpClient ShopClient()
    {
        var client = new HttpClient { BaseAddress = Root };
        client.DefaultRequestHeaders.Add("X-Api-Key", "dev-shop-key");
        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, in-flight calls cut.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }
}
