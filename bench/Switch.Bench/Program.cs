using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Switch.Bench.CodecBenchmarks).Assembly).Run(args);
