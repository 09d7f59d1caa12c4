using System.ComponentModel.DataAnnotations;

namespace MicoPortal.Server.Demo;

/// <summary>Section <c>Demo</c>: synthetic shop traffic so a fresh development run has live data.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Orders per second; 0 turns the generator off.</summary>
    [Range(0, 100_000)]
    public double OrdersPerSecond { get; set; }
}

/// <summary>
/// Demo traffic places real orders through the shop intake: against a real provider that is real money.
/// With <c>Demo:OrdersPerSecond</c> above 0 the portal refuses to start unless <c>Provider:BaseUrl</c> is the
/// built-in sandbox (empty, or a portal's <c>/sandbox/provider</c>). Failing start-up rather than logging and
/// skipping: a misconfiguration that would spend money must stop the deployment, not hide in a log line.
/// </summary>
public sealed class DemoOptionsValidation(IConfiguration configuration) : Microsoft.Extensions.Options.IValidateOptions<DemoOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, DemoOptions options)
    {
        var baseUrl = configuration["Provider:BaseUrl"];
        if (options.OrdersPerSecond <= 0 || IsSandbox(baseUrl))
        {
            return Microsoft.Extensions.Options.ValidateOptionsResult.Success;
        }

        return Microsoft.Extensions.Options.ValidateOptionsResult.Fail(
            $"Demo:OrdersPerSecond is {options.OrdersPerSecond}, but Provider:BaseUrl ({baseUrl}) is not the built-in sandbox: " +
            "demo traffic would place real top-ups. Set Demo:OrdersPerSecond=0, or point Provider:BaseUrl at the sandbox.");
    }

    /// <summary>Empty (the portal's own sandbox) or an address whose path is a portal's <c>/sandbox/provider</c>.</summary>
    public static bool IsSandbox(string? baseUrl) =>
        string.IsNullOrWhiteSpace(baseUrl)
        || (Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && uri.AbsolutePath.TrimEnd('/').EndsWith(MicoPortal.Server.Providers.Sandbox.SandboxProviderApi.BasePath, StringComparison.OrdinalIgnoreCase));
}
