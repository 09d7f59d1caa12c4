using System.Diagnostics;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Deployment;

/// <summary>
/// The deployment files are checked in CI without a Docker engine: <c>docker-compose config</c>
/// validates and resolves the compose file with the placeholder secrets of <c>.env.example</c>.
/// </summary>
public class DeploymentFilesTests(ITestOutputHelper output)
{
    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MicoPortal.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("MicoPortal.sln not found above " + AppContext.BaseDirectory);
    }

    private static async Task<(int ExitCode, string Output)> ComposeAsync(params string[] arguments)
    {
        var binary = new[] { "/usr/bin/docker-compose", "/usr/local/bin/docker-compose" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("docker-compose not found. Install it with 'apt-get install docker-compose' (.ci/run does this).");
        var info = new ProcessStartInfo(binary) { WorkingDirectory = RepositoryRoot(), UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Only the example file's placeholders: a secret set in the CI environment must not make this pass.
        foreach (var name in new[] { "MSSQL_SA_PASSWORD", "REDIS_PASSWORD", "PROVIDER_BASE_URL", "PROVIDER_API_KEY", "PROVIDER_CALLBACK_SECRET", "SHOP_API_KEY" })
        {
            info.Environment.Remove(name);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Docker_compose_config_passes_with_the_example_environment()
    {
        var (exitCode, text) = await ComposeAsync("--env-file", ".env.example", "config");
        output.WriteLine($"docker-compose config: exit {exitCode}, {text.Split('\n').Length} lines");
        Assert.True(exitCode == 0, text);

        var (servicesExit, services) = await ComposeAsync("--env-file", ".env.example", "config", "--services");
        Assert.Equal(0, servicesExit);
        var names = services.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        Assert.Superset(new HashSet<string> { "portal-1", "portal-2", "sqlserver", "redis" }, names);
        Assert.Contains("Database__Provider: SqlServer", text, StringComparison.Ordinal);
        Assert.Contains("Redis__Connection: redis:6379", text, StringComparison.Ordinal);
        Assert.Contains("DataProtection__KeysDirectory: /keys", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docker_compose_config_refuses_to_run_without_the_secrets()
    {
        var empty = Path.GetTempFileName();
        try
        {
            var (exitCode, text) = await ComposeAsync("--env-file", empty, "config", "-q");
            Assert.NotEqual(0, exitCode);
            Assert.Contains("set MSSQL_SA_PASSWORD", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [Fact]
    public void The_image_is_multi_stage_runs_as_non_root_and_has_a_health_check()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryRoot(), "Dockerfile"));
        Assert.Contains("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", dockerfile, StringComparison.Ordinal);
        Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile, StringComparison.Ordinal);
        Assert.Contains("USER app", dockerfile, StringComparison.Ordinal);
        Assert.Contains("HEALTHCHECK", dockerfile, StringComparison.Ordinal);
        Assert.Contains("/health/ready", dockerfile, StringComparison.Ordinal);
    }
}
