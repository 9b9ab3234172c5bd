module ksampler.test/timenow

go 1.15
