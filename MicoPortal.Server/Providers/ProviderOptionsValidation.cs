using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Providers;

/// <summary>Outside the built-in sandbox, a real provider needs its address and key.</summary>
internal sealed class ProviderOptionsValidation(IConfiguration configuration, IHostEnvironment environment) : IValidateOptions<ProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, ProviderOptions options)
    {
        var provider = string.IsNullOrEmpty(name) ? ProviderCatalog.DefaultProvider : name;
        var section = provider == ProviderCatalog.DefaultProvider ? ProviderOptions.Section : $"{ProviderOptions.ListSection}:{provider}";
        var sandbox = configuration.GetValue<bool>("Sandbox:Enabled");
        if (string.IsNullOrWhiteSpace(options.BaseUrl) && !sandbox)
        {
            return ValidateOptionsResult.Fail($"{section}:BaseUrl is required when the built-in sandbox is off (Sandbox:Enabled=false).");
        }

        if (string.IsNullOrWhiteSpace(options.BaseUrl) && provider != ProviderCatalog.DefaultProvider
            && !(configuration.GetSection("Sandbox:Instances").Get<string[]>() ?? []).Contains(provider))
        {
            return ValidateOptionsResult.Fail(
                $"{section}:BaseUrl is required: the built-in sandbox serves only 'default' and the names in Sandbox:Instances.");
        }

        // A timeout of zero or less would be no timeout at all in the client's pipeline (ProviderResilience).
        if (options.CreateTimeout <= TimeSpan.Zero || options.QueryTimeout <= TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail($"{section}:CreateTimeout and {section}:QueryTimeout must be positive.");
        }

        // A create must be answered or time out while its order's lease holds, or another sweep could take the order
        // over, find nothing at the provider yet and send it again: such a create is never started.
        var lease = configuration.GetValue<TimeSpan?>("Verification:Lease") ?? new Verification.VerificationOptions().Lease;
        if (options.CreateTimeout + Verification.DispatchSweep.LeaseMargin >= lease)
        {
            return ValidateOptionsResult.Fail(
                $"{section}:CreateTimeout ({options.CreateTimeout}) must be shorter than Verification:Lease ({lease}) by more than {Verification.DispatchSweep.LeaseMargin.TotalSeconds:0} s.");
        }

        if (!string.IsNullOrWhiteSpace(options.BaseUrl) && !Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out _))
        {
            return ValidateOptionsResult.Fail($"{section}:BaseUrl must be an absolute URL.");
        }

        if (!string.IsNullOrWhiteSpace(options.CallbackUrl)
            && !(Uri.TryCreate(options.CallbackUrl, UriKind.Absolute, out var callback) && (callback.Scheme == Uri.UriSchemeHttp || callback.Scheme == Uri.UriSchemeHttps)))
        {
            return ValidateOptionsResult.Fail($"{section}:CallbackUrl must be an absolute http(s) URL.");
        }

        // A real provider calls back from outside: the default (this server's own first listening address) is
        // localhost or a container's address, and its callbacks would never arrive. Only Development guesses.
        if (!string.IsNullOrWhiteSpace(options.BaseUrl) && string.IsNullOrWhiteSpace(options.CallbackUrl) && !environment.IsDevelopment())
        {
            return ValidateOptionsResult.Fail(
                $"{section}:CallbackUrl is required outside Development when {section}:BaseUrl names a provider: the public address " +
                $"the provider posts its callbacks to (https://portal.example.com/{ProviderCallbackAddress.RouteOf(provider)}).");
        }

        return ValidateOptionsResult.Success;
    }
}
