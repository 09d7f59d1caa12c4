using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace MicoPortal.Benchmarks;

/// <summary>The built portal in its own process, as users run it, on a free port.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri root)
    {
        _process = process;
        Root = root;
    }

    public Uri Root { get; }

    public int ProcessId => _process.Id;

    public static async Task<ServerProcess> StartAsync(string dataDirectory, params string[] settings)
    {
        var port = FreePort();
        var serverDll = Path.Combine(AppContext.BaseDirectory, "MicoPortal.Server.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(serverDll);
        info.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        info.ArgumentList.Add($"--DataDirectory={dataDirectory}");
        info.ArgumentList.Add("--Demo:OrdersPerSecond=0");
        foreach (var setting in settings)
        {
            info.ArgumentList.Add(setting);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var root = new Uri($"http://127.0.0.1:{port}/");
        using var probe = new HttpClient { BaseAddress = root };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await probe.GetAsync("health/ready")).IsSuccessStatusCode)
                {
                    return new ServerProcess(process, root);
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250);
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("The server did not become ready in 120 s.");
    }

    /// <summary>An HTTP client signed in as the development admin.</summary>
    public async Task<HttpClient> AdminClientAsync()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = Root };
        var login = await client.PostAsJsonAsync("api/v1/auth/login", new { email = "admin@micoportal.local", password = "Dev-Passw0rd!" });
        login.EnsureSuccessStatusCode();
        return client;
    }

    public long PeakWorkingSetBytes()
    {
        _process.Refresh();
        return _process.PeakWorkingSet64;
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
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
