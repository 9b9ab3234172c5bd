module ksampler.test/recurse

go 1.15

require ksampler.test/wl v0.0.0

replace ksampler.test/wl => ../wl
