using MicoPortal.Benchmarks;

// Named scenarios; each prints one JSON line of figures (see BENCHMARKS.md).
var scenario = args.FirstOrDefault() ?? "help";
var options = BenchmarkOptions.Parse(args.Skip(1));
return scenario switch
{
    "dashboard" => await DashboardBenchmark.RunAsync(options),
    "intake" => await IntakeBenchmark.RunAsync(options, batch: false),
    "intake-batch" => await IntakeBenchmark.RunAsync(options, batch: true),
    "verify" => await VerifyBenchmark.RunAsync(options),
    "freshness" => await FreshnessBenchmark.RunAsync(options),
    "soak" => await SoakBenchmark.RunAsync(options),
    "recon" => await ReconBenchmark.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/MicoPortal.Benchmarks -- dashboard [--orders 1000000] [--requests 200] | intake [--connections 64] [--seconds 30] | intake-batch [--batch 1000] | verify [--orders 1000000] [--scenarios false] [--callbacks true] | freshness [--seconds 30] [--rate 200] | soak [--minutes 10] [--rate 1000] [--fault-permille 10] | recon [--orders 1000000]");
    return 2;
}
